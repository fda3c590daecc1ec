"""Every service and lifecycle move of the selection stage, legal and illegal."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from commissioning.dates import LONDON
from commissioning.models import AuditEvent, Notification, User
from frameworks import evaluation, selectors, services
from frameworks.models import Application, ApplicationLot, Appointment, Score, SelectionQuestion
from frameworks.services import SelectionRuleError
from suppliers.models import Accreditation
from tests.factories import make_user
from tests.factories.frameworks import make_lot, make_window
from tests.frameworks.conftest import complete_application, evaluate_fully, pdf_upload

pytestmark = pytest.mark.django_db


def actions(obj=None):
    qs = AuditEvent.objects.order_by("pk")
    if obj is not None:
        qs = qs.filter(object_id=str(obj.pk))
    return list(qs.values_list("action", flat=True))


class TestPreparing:
    def test_starting_twice_returns_the_same_draft(self, selection):
        first = services.start_application(window=selection.window, by=selection.provider)
        second = services.start_application(window=selection.window, by=selection.provider)
        assert first.pk == second.pk and first.status == Application.Status.DRAFT
        assert Application.objects.filter(supplier=selection.supplier).count() == 1

    def test_a_closed_window_cannot_be_started(self, selection):
        closed = make_window(selection.framework, open_now=False)
        with pytest.raises(SelectionRuleError, match="not open"):
            services.start_application(window=closed, by=selection.provider)

    def test_each_lot_needs_at_least_one_area(self, selection):
        application = services.start_application(window=selection.window, by=selection.provider)
        with pytest.raises(SelectionRuleError, match="Select at least one area"):
            services.save_lots(application=application, by=selection.provider, choices={selection.lot1: []})
        with pytest.raises(SelectionRuleError, match="at least one lot"):
            services.save_lots(application=application, by=selection.provider, choices={})

    def test_a_lot_of_another_framework_is_refused(self, selection):
        other = make_lot()
        application = services.start_application(window=selection.window, by=selection.provider)
        with pytest.raises(SelectionRuleError, match="not part of this framework"):
            services.save_lots(application=application, by=selection.provider, choices={other: selection.areas})

    def test_changing_lots_keeps_only_the_chosen_ones(self, selection):
        application = services.start_application(window=selection.window, by=selection.provider)
        services.save_lots(
            application=application,
            by=selection.provider,
            choices={selection.lot1: selection.areas, selection.lot2: selection.areas[:1]},
        )
        services.save_lots(application=application, by=selection.provider, choices={selection.lot2: selection.areas})
        choices = list(application.lot_choices.all())
        assert [c.lot for c in choices] == [selection.lot2]
        assert choices[0].areas.count() == 3

    def test_a_consortium_needs_a_member(self, selection):
        application = services.start_application(window=selection.window, by=selection.provider)
        with pytest.raises(SelectionRuleError, match="at least one member"):
            services.save_consortium(application=application, by=selection.provider, is_consortium=True, members=[])
        services.save_consortium(
            application=application,
            by=selection.provider,
            is_consortium=True,
            members=[{"name": "Dudley Survivors Network", "registration_number": "1160334", "role": "Counselling"}],
        )
        assert application.consortium_members.get().name == "Dudley Survivors Network"

    def test_another_suppliers_user_cannot_touch_the_application(self, selection):
        application = services.start_application(window=selection.window, by=selection.provider)
        stranger = make_user(User.Role.PROVIDER)
        with pytest.raises(PermissionDenied):
            services.save_consent(application=application, by=stranger, share_with_partners=True, publish=True)

    def test_answers_are_saved_and_files_fingerprinted(self, selection):
        application = complete_application(selection)
        answer = application.answers.get(question=selection.policy)
        assert answer.upload_name == "policy.pdf"
        assert len(answer.upload_sha256) == 64
        sections = selectors.question_sections(application)
        assert {s.status for s in sections} == {"completed"}

    def test_saving_after_the_window_closes_is_refused_and_nothing_is_lost(self, selection):
        application = complete_application(selection)
        selection.window.closes_at = timezone.now() - timedelta(minutes=1)
        selection.window.save()
        application.refresh_from_db()
        with pytest.raises(SelectionRuleError, match="closed"):
            services.save_answers(
                application=application, by=selection.provider, texts={selection.delivery.pk: "changed"}
            )
        assert application.answers.get(question=selection.delivery).text.startswith("Our answer")


def test_questions_for_every_lot_come_before_a_lots_own_on_every_database(selection):
    """SQLite sorts an empty lot first and PostgreSQL last; the applicant and the evaluator must see one order."""
    application = complete_application(selection)
    expected = [selection.policy, selection.delivery, selection.outcomes, selection.quality]
    assert selectors.questions_for(application) == expected
    assert list(SelectionQuestion.objects.filter(framework=selection.framework)) == expected


class TestSubmitting:
    def test_an_incomplete_application_names_what_is_missing(self, selection):
        application = services.start_application(window=selection.window, by=selection.provider)
        with pytest.raises(SelectionRuleError) as excinfo:
            services.submit_application(application=application, by=selection.provider)
        assert "Complete the section ‘Lots and areas’" in excinfo.value.messages
        application.refresh_from_db()
        assert application.status == Application.Status.DRAFT

    def test_submission_records_a_receipt_emails_it_and_audits(self, selection):
        application = complete_application(selection)
        mail.outbox.clear()
        with self.capture_on_commit():
            services.submit_application(application=application, by=selection.provider)
        application.refresh_from_db()
        assert application.status == Application.Status.SUBMITTED
        receipt = application.receipt
        assert receipt["reference"] == f"APP-{application.pk:06d}"
        assert receipt["files"][0]["name"] == "policy.pdf" and len(receipt["files"][0]["sha256"]) == 64
        assert len(mail.outbox) == 1 and receipt["reference"] in mail.outbox[0].body
        assert mail.outbox[0].alternatives
        assert "application.submitted" in actions(application)

    def capture_on_commit(self):
        from django.test import TestCase

        return TestCase.captureOnCommitCallbacks(execute=True)

    def test_a_missing_accreditation_blocks_submission(self, selection):
        Accreditation.objects.filter(supplier=selection.supplier).delete()
        application = complete_application(selection)
        with pytest.raises(SelectionRuleError, match="SafeLives Leading Lights"):
            services.submit_application(application=application, by=selection.provider)

    def test_an_expired_accreditation_does_not_count_but_an_equivalent_does(self, selection):
        Accreditation.objects.filter(supplier=selection.supplier).update(expires_on=date(2020, 1, 1))
        application = complete_application(selection)
        with pytest.raises(SelectionRuleError):
            services.submit_application(application=application, by=selection.provider)
        Accreditation.objects.create(
            supplier=selection.supplier,
            scheme="equivalent",
            equivalent_to="safelives",
            equivalent_name="Domestic Abuse Quality Mark",
            expires_on=date(2031, 1, 1),
        )
        services.submit_application(application=application, by=selection.provider)

    def test_a_required_upload_is_needed(self, selection):
        application = complete_application(selection)
        application.answers.filter(question=selection.policy).update(upload="")
        with pytest.raises(SelectionRuleError, match="Safeguarding"):
            services.submit_application(application=application, by=selection.provider)

    @pytest.mark.parametrize(("offset", "accepted"), [(-1, True), (0, False), (1, False)])
    def test_the_closing_time_boundary(self, selection, offset, accepted):
        application = complete_application(selection)
        closes = selection.window.closes_at
        moment = closes + timedelta(seconds=offset)
        if accepted:
            services.submit_application(application=application, by=selection.provider, now=moment)
            assert Application.objects.get(pk=application.pk).status == Application.Status.SUBMITTED
        else:
            with pytest.raises(SelectionRuleError, match="closed at"):
                services.submit_application(application=application, by=selection.provider, now=moment)
            assert Application.objects.get(pk=application.pk).status == Application.Status.DRAFT

    @pytest.mark.parametrize(
        ("closing_day", "utc_hour"),
        [(date(2026, 10, 23), 16), (date(2026, 10, 26), 17)],
        ids=["BST-before-clocks-go-back", "GMT-after-clocks-go-back"],
    )
    def test_a_5pm_deadline_is_5pm_london_either_side_of_the_clock_change(self, selection, closing_day, utc_hour):
        window = selection.window
        window.opens_at = datetime(2026, 10, 1, 9, tzinfo=LONDON)
        window.closes_at = datetime.combine(closing_day, time(17, 0), tzinfo=LONDON)
        window.save()
        assert window.closes_at.astimezone(UTC).hour == utc_hour
        just_before = window.closes_at - timedelta(seconds=1)
        application = services.start_application(window=window, by=selection.provider, now=just_before)
        assert window.is_open(just_before) and not window.is_open(window.closes_at)
        assert application.status == Application.Status.DRAFT

    def test_a_repeated_submit_changes_nothing(self, selection):
        application = complete_application(selection)
        services.submit_application(application=application, by=selection.provider)
        again = services.submit_application(application=application, by=selection.provider)
        assert again.status == Application.Status.SUBMITTED
        assert actions(application).count("application.submitted") == 1
        assert Notification.objects.filter(kind="application-receipt").count() == 1

    def test_the_receipt_is_recorded_for_each_applicant_and_emailed_after_the_commit(
        self, selection, django_capture_on_commit_callbacks
    ):
        colleague = make_user(User.Role.PROVIDER, supplier=selection.supplier)
        application = complete_application(selection)
        with django_capture_on_commit_callbacks(execute=True):
            services.submit_application(application=application, by=selection.provider)
        receipts = Notification.objects.filter(kind="application-receipt").order_by("email")
        assert {row.recipient for row in receipts} == {selection.provider, colleague}
        for row in receipts:
            assert row.status == Notification.Status.SENT
            assert row.subject == f"Application received: {selection.framework.title}"
            assert row.url == f"/provider/applications/{application.pk}/receipt/"
            assert f"APP-{application.pk:06d}" in row.body_text
        assert sorted(m.to[0] for m in mail.outbox) == sorted([selection.provider.email, colleague.email])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_make_one(selection):
    application = complete_application(selection)

    def submit():
        try:
            services.submit_application(application=Application.objects.get(pk=application.pk), by=selection.provider)
            return "ok"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: submit(), range(2)))
    assert results == ["ok", "ok"]
    assert AuditEvent.objects.filter(action="application.submitted", object_id=str(application.pk)).count() == 1
    assert Application.objects.get(pk=application.pk).status == Application.Status.SUBMITTED


class TestWithdrawAndClarify:
    def test_withdraw_before_a_decision(self, selection):
        application = complete_application(selection)
        services.submit_application(application=application, by=selection.provider)
        services.withdraw_application(application=application, by=selection.provider, reason="Capacity")
        assert Application.objects.get(pk=application.pk).status == Application.Status.WITHDRAWN
        with pytest.raises(SelectionRuleError):
            services.withdraw_application(application=application, by=selection.provider)

    def test_clarification_round_trip(self, selection):
        application = complete_application(selection)
        services.submit_application(application=application, by=selection.provider)
        clarification = services.request_clarification(
            application=application, by=selection.officer, question="Which areas does your helpline cover?"
        )
        assert Application.objects.get(pk=application.pk).status == Application.Status.CLARIFICATION
        with pytest.raises(SelectionRuleError, match="Enter your response"):
            services.respond_to_clarification(clarification=clarification, response=" ", by=selection.provider)
        services.respond_to_clarification(clarification=clarification, response="All seven.", by=selection.provider)
        assert Application.objects.get(pk=application.pk).status == Application.Status.SUBMITTED
        with pytest.raises(SelectionRuleError, match="already been answered"):
            services.respond_to_clarification(clarification=clarification, response="Again", by=selection.provider)

    def test_clarification_cannot_be_asked_of_a_draft_or_by_another_authority(self, selection):
        application = complete_application(selection)
        with pytest.raises(SelectionRuleError):
            services.request_clarification(application=application, by=selection.officer, question="?")
        services.submit_application(application=application, by=selection.provider)
        with pytest.raises(PermissionDenied):
            services.request_clarification(application=application, by=make_user(User.Role.OFFICER), question="?")


class TestEvaluation:
    @pytest.fixture
    def submitted(self, selection):
        application = complete_application(selection)
        return services.submit_application(application=application, by=selection.provider)

    def test_at_least_two_evaluators(self, selection, submitted):
        with pytest.raises(SelectionRuleError, match="at least two"):
            evaluation.assign_evaluators(target=submitted, evaluators=selection.evaluators[:1], by=selection.officer)
        created = evaluation.assign_evaluators(target=submitted, evaluators=selection.evaluators, by=selection.officer)
        assert len(created) == 2

    def test_a_declared_conflict_blocks_scoring_and_tells_the_officer(self, selection, submitted):
        evaluation.assign_evaluators(target=submitted, evaluators=selection.evaluators, by=selection.officer)
        assignment = submitted.assignments.get(evaluator=selection.evaluators[0])
        with pytest.raises(SelectionRuleError, match="Declare"):
            evaluation.save_scores(assignment=assignment, scores={}, submit=False, by=selection.evaluators[0])
        mail.outbox.clear()
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            evaluation.declare_conflict(
                assignment=assignment, has_conflict=True, details="I chair its board", by=selection.evaluators[0]
            )
        assert mail.outbox and selection.officer.email in mail.outbox[0].to
        with pytest.raises(SelectionRuleError):
            evaluation.save_scores(assignment=assignment, scores={}, submit=False, by=selection.evaluators[0])
        with pytest.raises(SelectionRuleError, match="already"):
            evaluation.declare_conflict(
                assignment=assignment, has_conflict=False, details="", by=selection.evaluators[0]
            )

    def test_only_the_assigned_evaluator_may_declare(self, selection, submitted):
        evaluation.assign_evaluators(target=submitted, evaluators=selection.evaluators, by=selection.officer)
        assignment = submitted.assignments.get(evaluator=selection.evaluators[0])
        with pytest.raises(PermissionDenied):
            evaluation.declare_conflict(
                assignment=assignment, has_conflict=False, details="", by=selection.evaluators[1]
            )

    def test_scores_are_independent_until_submitted(self, selection, submitted):
        evaluation.assign_evaluators(target=submitted, evaluators=selection.evaluators, by=selection.officer)
        first, second = submitted.assignments.order_by("pk")
        for a in (first, second):
            evaluation.declare_conflict(assignment=a, has_conflict=False, details="", by=a.evaluator)
        marks = {
            q.pk: ({"score": 3} if q.is_scored else {"passed": True}) | {"comment": "ok"}
            for q in selectors.questions_for(submitted)
        }
        evaluation.save_scores(assignment=second, scores=marks, submit=True, by=second.evaluator)
        assert evaluation.visible_scores(first) == []
        with pytest.raises(SelectionRuleError, match="every question"):
            evaluation.save_scores(
                assignment=first,
                scores={selection.delivery.pk: {"score": 2, "comment": ""}},
                submit=True,
                by=first.evaluator,
            )
        evaluation.save_scores(assignment=first, scores=marks, submit=True, by=first.evaluator)
        first.refresh_from_db()
        assert len(evaluation.visible_scores(first)) == len(marks)
        with pytest.raises(SelectionRuleError, match="no longer be changed"):
            evaluation.save_scores(assignment=first, scores=marks, submit=False, by=first.evaluator)

    def test_a_score_outside_the_scale_is_refused(self, selection, submitted):
        evaluation.assign_evaluators(target=submitted, evaluators=selection.evaluators, by=selection.officer)
        a = submitted.assignments.first()
        evaluation.declare_conflict(assignment=a, has_conflict=False, details="", by=a.evaluator)
        with pytest.raises(SelectionRuleError, match="0 to 4"):
            evaluation.save_scores(
                assignment=a, scores={selection.delivery.pk: {"score": 5}}, submit=False, by=a.evaluator
            )

    def test_moderation_waits_for_every_evaluator_and_keeps_individual_scores(self, selection, submitted):
        evaluation.assign_evaluators(target=submitted, evaluators=selection.evaluators, by=selection.officer)
        with pytest.raises(SelectionRuleError):
            evaluation.moderate(
                subject=submitted,
                criterion=selection.delivery,
                score=3,
                passed=None,
                reason="x",
                by=selection.officer,
            )
        application = evaluate_fully(selection, submitted, delivery=4, outcomes=2)
        assert application.status == Application.Status.EVALUATED
        assert Score.objects.filter(assignment__application=application, question=selection.delivery).count() == 2
        moderated = application.moderated_scores.get(question=selection.delivery)
        assert moderated.score == 4 and moderated.reason == "Agreed by the panel."

    def test_lot_results_weight_the_moderated_scores(self, selection, submitted):
        application = evaluate_fully(selection, submitted, delivery=4, outcomes=2)
        results = {r.lot.number: r for r in selectors.lot_results(application)}
        # (60 * 4/4 + 40 * 2/4) / 100 = 80%
        assert results[1].percentage == Decimal("80.00") and results[1].passes
        assert results[2].percentage == Decimal("80.00")

    def test_a_failed_pass_fail_question_makes_the_lot_unsuccessful(self, selection, submitted):
        application = evaluate_fully(selection, submitted, delivery=4, outcomes=4, quality_passed=False)
        results = {r.lot.number: r for r in selectors.lot_results(application)}
        assert not results[1].passes and results[2].passes
        choice = application.lot_choices.get(lot=selection.lot1)
        with pytest.raises(SelectionRuleError, match="pass/fail"):
            services.decide_lot(choice=choice, outcome="appointed", reason="High score", by=selection.officer)


class TestDecisionsAndAppointments:
    @pytest.fixture
    def evaluated(self, selection):
        application = complete_application(selection)
        services.submit_application(application=application, by=selection.provider)
        return evaluate_fully(selection, application)

    def test_deciding_before_evaluation_is_refused(self, selection):
        application = complete_application(selection)
        services.submit_application(application=application, by=selection.provider)
        with pytest.raises(SelectionRuleError, match="evaluated"):
            services.decide_lot(
                choice=application.lot_choices.first(), outcome="appointed", reason="x", by=selection.officer
            )

    def test_appointing_puts_the_supplier_on_the_list_with_its_areas_and_consent(self, selection, evaluated):
        choice1 = evaluated.lot_choices.get(lot=selection.lot1)
        services.decide_lot(choice=choice1, outcome="appointed", reason="Scored 75%", by=selection.officer)
        appointment = Appointment.objects.get(supplier=selection.supplier, lot=selection.lot1)
        assert appointment.status == Appointment.Status.ACTIVE
        assert set(appointment.areas.all()) == set(selection.areas[:2])
        assert appointment.consent_share_with_partners is True and appointment.consent_publish is False
        assert appointment.history.first().history_user == selection.officer
        with pytest.raises(SelectionRuleError, match="already been decided"):
            services.decide_lot(choice=choice1, outcome="unsuccessful", reason="x", by=selection.officer)

    def test_deciding_every_lot_decides_the_application_and_tells_the_applicant(self, selection, evaluated):
        from django.test import TestCase

        mail.outbox.clear()
        with TestCase.captureOnCommitCallbacks(execute=True):
            for choice, outcome in zip(
                evaluated.lot_choices.order_by("lot__number"), ["appointed", "unsuccessful"], strict=True
            ):
                services.decide_lot(choice=choice, outcome=outcome, reason="Panel decision", by=selection.officer)
        assert Application.objects.get(pk=evaluated.pk).status == Application.Status.DECIDED
        assert any("Outcome of your application" in m.subject for m in mail.outbox)
        assert ApplicationLot.objects.filter(application=evaluated, outcome="unsuccessful").count() == 1

    def test_a_decision_needs_a_reason(self, selection, evaluated):
        with pytest.raises(SelectionRuleError, match="reason"):
            services.decide_lot(
                choice=evaluated.lot_choices.first(), outcome="appointed", reason=" ", by=selection.officer
            )

    def test_suspend_reinstate_and_remove_with_reasons_and_history(self, selection, evaluated):
        services.decide_lot(
            choice=evaluated.lot_choices.get(lot=selection.lot1),
            outcome="appointed",
            reason="Passed",
            by=selection.officer,
        )
        appointment = Appointment.objects.get(lot=selection.lot1)
        services.change_appointment_status(
            appointment=appointment, status="suspended", reason="Insurance lapsed", by=selection.officer
        )
        services.change_appointment_status(
            appointment=appointment, status="active", reason="Insurance renewed", by=selection.officer
        )
        services.change_appointment_status(
            appointment=appointment, status="removed", reason="Ceased trading", by=selection.officer
        )
        with pytest.raises(SelectionRuleError):
            services.change_appointment_status(
                appointment=appointment, status="active", reason="x", by=selection.officer
            )
        reasons = list(appointment.history.order_by("history_date").values_list("history_change_reason", flat=True))
        assert reasons[-3:] == ["Insurance lapsed", "Insurance renewed", "Ceased trading"]
        assert Appointment.objects.get(pk=appointment.pk).ends_on == timezone.localdate()

    def test_a_later_window_keeps_the_earlier_appointment_and_its_history(self, selection, evaluated):
        services.decide_lot(
            choice=evaluated.lot_choices.get(lot=selection.lot1),
            outcome="appointed",
            reason="First window",
            by=selection.officer,
        )
        first = Appointment.objects.get(lot=selection.lot1)
        history_before = first.history.count()
        other = make_user(User.Role.PROVIDER)
        Accreditation.objects.create(supplier=other.supplier_membership.supplier, scheme="safelives")
        application = complete_application(selection, supplier_user=other, lots=[selection.lot1])
        services.submit_application(application=application, by=other)
        evaluate_fully(selection, application)
        services.decide_lot(
            choice=application.lot_choices.get(), outcome="appointed", reason="Second window", by=selection.officer
        )
        assert Appointment.objects.filter(lot=selection.lot1).count() == 2
        assert first.history.count() == history_before
        assert Appointment.objects.get(pk=first.pk).status == Appointment.Status.ACTIVE


def test_upload_of_a_non_pdf_renamed_to_pdf_is_refused(selection):
    application = services.start_application(window=selection.window, by=selection.provider)
    services.save_lots(application=application, by=selection.provider, choices={selection.lot2: selection.areas})
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("policy.pdf", b"MZ\x90\x00 this is really a program", content_type="application/pdf")
    with pytest.raises(ValidationError, match="cannot be used as a PDF"):
        services.save_answers(
            application=application,
            by=selection.provider,
            texts={selection.policy.pk: "x"},
            uploads={selection.policy.pk: fake},
        )
    services.save_answers(
        application=application,
        by=selection.provider,
        texts={selection.policy.pk: "x"},
        uploads={selection.policy.pk: pdf_upload()},
    )
