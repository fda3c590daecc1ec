"""Every service and lifecycle move of the award stage, legal and illegal: eligibility, criteria and
social value rules, the closing-time boundary, responses and their versions, the two-officer opening,
evaluation and moderation, the price formula, seed 002's bounds, award, standstill and contract, and
direct awards."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from commissioning import notifications
from commissioning.dates import standstill_last_day
from commissioning.lifecycle import IllegalMove
from commissioning.models import AuditEvent, GeneratedDocument, Notification, User
from contracts.award import selectors, services
from contracts.award.lifecycles import COMPETITION
from contracts.award.models import (
    Award,
    Competition,
    CompetitionInvitation,
    DirectAward,
    Justification,
    NoAward,
    Tender,
    TenderScore,
    TenderVersion,
)
from contracts.award.selectors import eligible_suppliers, lot_results, price_points
from contracts.award.services import AwardRuleError
from contracts.models import Contract
from frameworks import evaluation
from frameworks.models import Appointment
from tests.factories import make_area, make_user
from tests.factories.awards import (
    STANDARD_CRITERIA,
    budget,
    close_now,
    complete_tender,
    evaluate_all,
    make_award_setup,
    make_competition,
    make_direct_award,
    make_published_mini,
    make_seed_002_eoi,
    open_competition,
    pdf,
    publish_award_notice,
)
from tests.factories.frameworks import make_appointment, make_lot

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    return make_award_setup()


def actions(obj=None) -> list[str]:
    qs = AuditEvent.objects.order_by("pk")
    if obj is not None:
        qs = qs.filter(object_id=str(obj.pk))
    return list(qs.values_list("action", flat=True))


def messages_of(error) -> str:
    return " ".join(error.value.messages)


# --- Eligibility -----------------------------------------------------------------------------------------


class TestEligibility:
    def test_only_active_appointees_of_the_lot_covering_every_area_may_bid(self, setup):
        other_lot = make_lot(setup.framework, number=2)
        on_other_lot = make_appointment(other_lot, areas=setup.areas)
        suspended = make_appointment(setup.lot, areas=setup.areas, status=Appointment.Status.SUSPENDED)
        ended = make_appointment(setup.lot, areas=setup.areas, ends_on=timezone.localdate() - timedelta(days=1))
        competition = make_competition(by=setup.officer, framework_lot=setup.lot, areas=setup.areas)
        eligible = set(eligible_suppliers(competition))
        assert eligible == set(setup.suppliers)
        for excluded in (setup.partial_supplier, on_other_lot.supplier, suspended.supplier, ended.supplier):
            assert excluded not in eligible

    def test_a_narrower_competition_admits_an_appointee_covering_just_its_area(self, setup):
        competition = make_competition(by=setup.officer, framework_lot=setup.lot, areas=setup.areas[:1])
        assert set(eligible_suppliers(competition)) == {*setup.suppliers, setup.partial_supplier}

    def test_publishing_records_the_invited_set_and_emails_them_in_the_background(
        self, setup, django_capture_on_commit_callbacks
    ):
        competition = make_competition(by=setup.officer, framework_lot=setup.lot, areas=setup.areas)
        with django_capture_on_commit_callbacks(execute=True):
            services.publish_competition(competition=competition, by=setup.officer)
        invited = set(CompetitionInvitation.objects.filter(competition=competition).values_list("supplier", flat=True))
        assert invited == {s.pk for s in setup.suppliers}
        assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in setup.providers)
        assert all(len(m.to) == 1 for m in mail.outbox)  # no bidder learns who else was invited
        assert all(m.subject.startswith("Invitation to tender") for m in mail.outbox)
        invitations = Notification.objects.filter(subject__startswith="Invitation to tender")
        assert {row.recipient for row in invitations} == set(setup.providers)
        assert all(row.url == f"/provider/competitions/{competition.pk}/" for row in invitations)
        assert not CompetitionInvitation.objects.filter(competition=competition, emailed_at__isnull=True).exists()
        # The task running again sends nothing twice.
        assert services.send_invitations(competition.pk) == 0

    def test_the_invited_set_is_fixed_at_publication(self, setup):
        competition = make_published_mini(setup)
        late = make_appointment(setup.lot, areas=setup.areas)
        late_user = make_user(User.Role.PROVIDER, supplier=late.supplier)
        with pytest.raises(PermissionDenied):
            services.start_tender(competition=competition, lot=competition.lots.get(), by=late_user)

    def test_uninvited_appointee_cannot_respond_or_ask(self, setup):
        competition = make_published_mini(setup)
        with pytest.raises(PermissionDenied):
            services.start_tender(competition=competition, lot=competition.lots.get(), by=setup.partial_provider)
        with pytest.raises(PermissionDenied):
            services.ask_question(competition=competition, question="May we bid?", by=setup.partial_provider)

    def test_publishing_with_nobody_eligible_is_refused(self, setup):
        lonely = make_area(name="Nowhere")
        competition = make_competition(by=setup.officer, framework_lot=setup.lot, areas=[lonely])
        with pytest.raises(AwardRuleError, match="No supplier has an active appointment"):
            services.publish_competition(competition=competition, by=setup.officer)

    def test_any_registered_supplier_may_answer_an_expression_of_interest(self, setup):
        eoi = make_seed_002_eoi(by=setup.officer)
        stranger = make_user(User.Role.PROVIDER)
        tender = services.start_tender(competition=eoi, lot=eoi.lots.get(number=3), by=stranger)
        assert tender.supplier == stranger.supplier_membership.supplier
        assert not eoi.invitations.exists()


# --- Criteria and social value -------------------------------------------------------------------------


class TestCriteria:
    @pytest.mark.parametrize("weights", [(40, 20, 30, 5), (50, 20, 30, 10)])
    def test_weights_not_adding_up_to_100_are_refused(self, setup, weights):
        competition = make_competition(by=setup.officer, framework_lot=setup.lot, areas=setup.areas)
        criteria = [dict(c, weight=w) for c, w in zip(STANDARD_CRITERIA, weights, strict=True)]
        with pytest.raises(AwardRuleError, match=f"The weights add up to {sum(weights)}%: they must add up to 100%"):
            services.save_criteria(competition=competition, criteria=criteria, by=setup.officer)
        assert [c.weight for c in competition.criteria.all()] == [40, 20, 30, 10]

    def test_publishing_rechecks_the_weights(self, setup):
        competition = make_competition(by=setup.officer, framework_lot=setup.lot, areas=setup.areas)
        competition.criteria.filter(kind="price").update(weight=25)
        with pytest.raises(AwardRuleError, match="add up to 95%"):
            services.publish_competition(competition=competition, by=setup.officer)
        assert Competition.objects.get(pk=competition.pk).status == Competition.Status.DRAFT

    def test_at_100000_exactly_social_value_is_not_required(self, setup):
        competition = make_competition(
            by=setup.officer,
            framework_lot=setup.lot,
            areas=setup.areas,
            estimated_value="100000.00",
            criteria=[
                {"kind": "quality", "title": "Delivery", "question": "How?", "weight": 70},
                {"kind": "price", "title": "Price", "weight": 30},
            ],
        )
        assert not competition.social_value_required
        competition = services.publish_competition(competition=competition, by=setup.officer)
        tender = complete_tender(competition, setup.providers[0])
        assert tender.status == Tender.Status.SUBMITTED
        assert not tender.social_value_summary and not tender.commitments.exists()

    def test_at_100000_01_social_value_needs_its_minimum_weight(self, setup):
        criteria = [
            {"kind": "quality", "title": "Delivery", "question": "How?", "weight": 61},
            {"kind": "price", "title": "Price", "weight": 30},
            {"kind": "social_value", "title": "Social value", "weight": 9},
        ]
        with pytest.raises(AwardRuleError) as error:
            make_competition(
                by=setup.officer,
                framework_lot=setup.lot,
                areas=setup.areas,
                estimated_value="100000.01",
                criteria=criteria,
            )
        assert "over £100,000" in messages_of(error) and "at least 10%" in messages_of(error)
        assert "it has 9%" in messages_of(error)
        criteria[0]["weight"], criteria[2]["weight"] = 60, 10
        competition = make_competition(
            by=setup.officer, framework_lot=setup.lot, areas=setup.areas, estimated_value="100000.01", criteria=criteria
        )
        assert competition.social_value_required

    def test_raising_the_estimated_value_over_the_threshold_blocks_publication(self, setup):
        competition = make_competition(
            by=setup.officer,
            framework_lot=setup.lot,
            areas=setup.areas,
            estimated_value="100000.00",
            criteria=[
                {"kind": "quality", "title": "Delivery", "question": "How?", "weight": 70},
                {"kind": "price", "title": "Price", "weight": 30},
            ],
        )
        services.update_competition(competition=competition, by=setup.officer, estimated_value=Decimal("100000.01"))
        with pytest.raises(AwardRuleError, match="social value must carry at least 10%"):
            services.publish_competition(competition=competition, by=setup.officer)

    def test_over_the_threshold_a_response_needs_a_social_value_proposal(self, setup):
        competition = make_published_mini(setup, estimated_value="100000.01")
        tender = services.start_tender(competition=competition, lot=competition.lots.get(), by=setup.providers[0])
        services.save_tender(
            tender=tender,
            by=setup.providers[0],
            annual_price=Decimal("50000"),
            answers={c.pk: "Answer" for c in competition.criteria.filter(kind="quality")},
            is_consortium=False,
        )
        with pytest.raises(AwardRuleError) as error:
            services.submit_tender(tender=tender, by=setup.providers[0])
        assert "Write your Social Value Proposal" in messages_of(error)
        assert "Add at least one social value commitment" in messages_of(error)


# --- The lifecycle -------------------------------------------------------------------------------------------


class TestLifecycle:
    def test_the_full_lifecycle_is_audited(self, setup):
        competition = make_published_mini(setup)
        first = complete_tender(competition, setup.providers[0], price="40000")
        complete_tender(competition, setup.providers[1], price="50000")
        open_competition(competition, setup.officer, setup.officer2)
        evaluate_all(competition, setup.officer, setup.evaluators)
        award = services.decide_award(lot=competition.lots.get(), tender=first, reasons="Best value", by=setup.officer)
        award = publish_award_notice(award, setup.officer)
        services.create_award_contract(
            award=award,
            reference="AWARD-1",
            start_on=date(2026, 4, 1),
            by=setup.officer,
            today=award.standstill_ends_on + timedelta(days=1),
        )
        moves = [a for a in actions(competition) if a.startswith("competition.")]
        for expected in [
            "competition.created",
            "competition.criteria_saved",
            "competition.published",
            "competition.opening_requested",
            "competition.closed",
            "competition.evaluators_assigned",
            "competition.evaluated",
            "competition.award_decided",
            "competition.awarded",
            "competition.contract_created",
            "competition.contracted",
        ]:
            assert expected in moves
        assert Competition.objects.get(pk=competition.pk).status == Competition.Status.CONTRACTED

    @pytest.mark.parametrize(
        "status,move",
        [
            ("published", "publish"),
            ("cancelled", "publish"),
            ("contracted", "cancel"),
            ("awarded", "cancel"),
            ("draft", "open"),
            ("cancelled", "open"),
            ("draft", "assign"),
            ("published", "assign"),
        ],
    )
    def test_illegal_moves_are_refused(self, setup, status, move):
        competition = make_competition(by=setup.officer, framework_lot=setup.lot, areas=setup.areas)
        Competition.objects.filter(pk=competition.pk).update(status=status)
        competition.refresh_from_db()
        past = timezone.now() + timedelta(days=30)
        with pytest.raises(AwardRuleError):
            if move == "publish":
                services.publish_competition(competition=competition, by=setup.officer)
            elif move == "cancel":
                services.cancel_competition(competition=competition, reason="No longer needed", by=setup.officer)
            elif move == "open":
                services.request_opening(competition=competition, by=setup.officer, now=past)
            else:
                evaluation.assign_evaluators(target=competition, evaluators=setup.evaluators, by=setup.officer)
        assert Competition.objects.get(pk=competition.pk).status == status

    def test_the_transition_table_allows_only_forward_moves(self):
        order = ["draft", "published", "closed", "evaluated", "awarded", "contracted"]
        for i, status in enumerate(order):
            allowed = COMPETITION.targets(status) - {"cancelled"}
            assert allowed == ({order[i + 1]} if i + 1 < len(order) else set())
        assert COMPETITION.targets("cancelled") == set()
        assert "cancelled" not in COMPETITION.targets("awarded")
        assert services.TRANSITIONS is COMPETITION.transitions

    def test_cancelling_needs_a_reason_and_tells_bidders(self, setup, django_capture_on_commit_callbacks):
        competition = make_published_mini(setup)
        with pytest.raises(AwardRuleError, match="Give the reason"):
            services.cancel_competition(competition=competition, reason=" ", by=setup.officer)
        with django_capture_on_commit_callbacks(execute=True):
            services.cancel_competition(competition=competition, reason="Funding withdrawn", by=setup.officer)
        assert Competition.objects.get(pk=competition.pk).status == Competition.Status.CANCELLED
        assert {m.to[0] for m in mail.outbox} >= {p.email for p in setup.providers}

    def test_officers_of_another_authority_cannot_run_it(self, setup):
        competition = make_competition(by=setup.officer, framework_lot=setup.lot, areas=setup.areas)
        stranger = make_user(User.Role.OFFICER)
        with pytest.raises(PermissionDenied):
            services.publish_competition(competition=competition, by=stranger)

    def test_a_draft_cannot_be_edited_once_published(self, setup):
        competition = make_published_mini(setup)
        with pytest.raises(IllegalMove, match="A competition that is published cannot be changed"):
            services.update_competition(competition=competition, by=setup.officer, title="New")
        with pytest.raises(AwardRuleError, match="cannot be changed"):
            services.save_criteria(competition=competition, criteria=STANDARD_CRITERIA, by=setup.officer)


# --- Closing time ---------------------------------------------------------------------------------------------


class TestClosingTime:
    @pytest.mark.parametrize("offset,accepted", [(-1, True), (0, False), (1, False)])
    def test_submission_one_second_before_at_and_after_the_closing_time(self, setup, offset, accepted):
        competition = make_published_mini(setup)
        tender = complete_tender(competition, setup.providers[0], submit=False)
        when = competition.closes_at + timedelta(seconds=offset)
        if accepted:
            services.submit_tender(tender=tender, by=setup.providers[0], now=when)
            assert Tender.objects.get(pk=tender.pk).status == Tender.Status.SUBMITTED
        else:
            with pytest.raises(AwardRuleError, match="The closing time was 5:00pm|The closing time was"):
                services.submit_tender(tender=tender, by=setup.providers[0], now=when)
            tender.refresh_from_db()
            assert tender.status == Tender.Status.DRAFT
            assert tender.answers.count() == 2  # what was saved stays saved

    def test_the_default_closing_time_is_5pm_london(self, setup):
        from commissioning.dates import deadline_on

        closes = deadline_on(date(2027, 7, 2))
        competition = make_competition(
            by=setup.officer,
            framework_lot=setup.lot,
            areas=setup.areas,
            closes_at=closes,
            clarification_deadline=deadline_on(date(2027, 6, 25)),
        )
        local = timezone.localtime(competition.closes_at)
        assert (local.hour, local.minute, str(local.tzinfo)) == (17, 0, "Europe/London")

    def test_only_the_owner_moves_the_closing_time_forward_and_bidders_are_told(
        self, setup, django_capture_on_commit_callbacks
    ):
        competition = make_published_mini(setup)
        complete_tender(competition, setup.providers[0], submit=False)
        later = competition.closes_at + timedelta(days=7)
        with pytest.raises(AwardRuleError, match="Only the owner"):
            services.move_closing_time(competition=competition, closes_at=later, by=setup.officer2)
        with pytest.raises(AwardRuleError, match="must be in the future"):
            services.move_closing_time(
                competition=competition, closes_at=timezone.now() - timedelta(minutes=1), by=setup.officer
            )
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.move_closing_time(competition=competition, closes_at=later, reason="More time", by=setup.officer)
        assert Competition.objects.get(pk=competition.pk).closes_at == later
        assert {m.to[0] for m in mail.outbox} == {p.email for p in setup.providers}
        assert all("Closing time changed" in m.subject for m in mail.outbox)
        assert "competition.closing_time_moved" in actions(competition)

    def test_a_passed_closing_time_cannot_be_moved(self, setup):
        competition = close_now(make_published_mini(setup))
        with pytest.raises(AwardRuleError, match="has passed"):
            services.move_closing_time(
                competition=competition, closes_at=timezone.now() + timedelta(days=3), by=setup.officer
            )


# --- Responses ------------------------------------------------------------------------------------------------


class TestResponses:
    def test_starting_twice_returns_the_same_draft(self, setup):
        competition = make_published_mini(setup)
        lot = competition.lots.get()
        first = services.start_tender(competition=competition, lot=lot, by=setup.providers[0])
        assert services.start_tender(competition=competition, lot=lot, by=setup.providers[0]) == first
        assert Tender.objects.filter(lot=lot, supplier=setup.suppliers[0]).count() == 1

    def test_a_double_submission_makes_one_version(self, setup):
        competition = make_published_mini(setup)
        tender = complete_tender(competition, setup.providers[0], submit=False)
        services.submit_tender(tender=tender, by=setup.providers[0])
        services.submit_tender(tender=tender, by=setup.providers[0])
        assert TenderVersion.objects.filter(tender=tender).count() == 1
        assert actions(tender).count("tender.submitted") == 1

    def test_withdraw_and_resubmit_keeps_each_version_and_the_receipt_has_hashes(
        self, setup, django_capture_on_commit_callbacks
    ):
        competition = make_published_mini(setup)
        provider = setup.providers[0]
        tender = complete_tender(competition, provider, submit=False)
        services.save_tender(tender=tender, by=provider, uploads={"supporting": pdf("plan.pdf")})
        with django_capture_on_commit_callbacks(execute=True):
            services.submit_tender(tender=tender, by=provider)
        tender.refresh_from_db()
        first_receipt = tender.receipt
        assert first_receipt["reference"] == f"{tender.reference}-v1"
        assert first_receipt["files"][0]["name"] == "plan.pdf"
        assert len(first_receipt["files"][0]["sha256"]) == 64
        assert "received_at" in first_receipt
        assert (
            "Response received" in mail.outbox[-1].subject
            and first_receipt["files"][0]["sha256"] in mail.outbox[-1].body
        )

        with pytest.raises(AwardRuleError, match="Withdraw it to change it"):
            services.save_tender(tender=tender, by=provider, annual_price=Decimal("41000"))
        services.withdraw_tender(tender=tender, by=provider)
        services.save_tender(
            tender=tender, by=provider, annual_price=Decimal("41000"), uploads={"supporting": pdf("plan-v2.pdf")}
        )
        services.submit_tender(tender=tender, by=provider)
        versions = list(TenderVersion.objects.filter(tender=tender).order_by("number"))
        assert [v.number for v in versions] == [1, 2]
        assert versions[0].withdrawn_at is not None and versions[1].withdrawn_at is None
        assert versions[0].content["annual_price"] == "45000.00" and versions[1].content["annual_price"] == "41000.00"
        assert versions[0].content["documents"][0]["name"] == "plan.pdf"
        assert versions[1].content["documents"][0]["name"] == "plan-v2.pdf"
        assert tender.documents.count() == 2  # the first file is kept for version 1

    def test_the_receipt_goes_to_the_bidders_own_people_only_and_stays_out_of_the_log_until_opening(
        self, setup, django_capture_on_commit_callbacks
    ):
        competition = make_published_mini(setup)
        colleague = make_user(User.Role.PROVIDER, supplier=setup.suppliers[0])
        Notification.objects.all().delete()  # the invitations
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            tender = complete_tender(competition, setup.providers[0])
        receipts = Notification.objects.filter(subject=f"Response received: {competition.title}")
        assert {row.recipient for row in receipts} == {setup.providers[0], colleague}
        assert all(row.sealed_for == f"competition:{competition.pk}" for row in receipts)
        assert all(row.sealed_until > competition.closes_at + timedelta(days=3650) for row in receipts)
        assert all(row.url == f"/provider/responses/{tender.pk}/receipt/" for row in receipts)
        assert sorted(m.to for m in mail.outbox) == sorted([[setup.providers[0].email], [colleague.email]])
        assert not Notification.objects.filter(recipient=setup.providers[1]).exists()

    def test_withdrawal_after_the_closing_time_is_refused(self, setup):
        competition = make_published_mini(setup)
        tender = complete_tender(competition, setup.providers[0])
        with pytest.raises(AwardRuleError, match="can no longer be withdrawn"):
            services.withdraw_tender(tender=tender, by=setup.providers[0], now=competition.closes_at)

    def test_another_supplier_cannot_touch_a_response(self, setup):
        competition = make_published_mini(setup)
        tender = complete_tender(competition, setup.providers[0], submit=False)
        for move in (
            lambda: services.save_tender(tender=tender, by=setup.providers[1], annual_price=Decimal("1")),
            lambda: services.submit_tender(tender=tender, by=setup.providers[1]),
            lambda: services.withdraw_tender(tender=tender, by=setup.providers[1]),
        ):
            with pytest.raises(PermissionDenied):
                move()

    def test_a_mini_competition_lot_with_a_maximum_refuses_a_higher_bid(self, setup):
        competition = make_published_mini(setup)
        competition.lots.update(max_annual_bid=Decimal("60000"))
        tender = services.start_tender(competition=competition, lot=competition.lots.get(), by=setup.providers[0])
        with pytest.raises(AwardRuleError) as error:
            services.save_tender(tender=tender, by=setup.providers[0], annual_price=Decimal("60000.01"))
        assert error.value.message_dict["annual_price"] == [
            "Lot 1: Independent Domestic Violence Advocate (IDVA): the maximum annual bid is £60,000 "
            "(you entered £60,000.01)"
        ]

    def test_an_expression_of_interest_needs_the_budget_template(self, setup):
        eoi = make_seed_002_eoi(by=setup.officer)
        provider = setup.providers[0]
        tender = services.start_tender(competition=eoi, lot=eoi.lots.get(number=3), by=provider)
        services.save_tender(
            tender=tender,
            by=provider,
            annual_price=Decimal("400000"),
            answers={c.pk: "Answer" for c in eoi.criteria.filter(kind="quality")},
            is_consortium=True,
            members=[{"name": "Black Country Women's Aid", "registration_number": "1123456", "role": "Victim support"}],
            social_value_summary="Local jobs.",
            commitments=[
                {"theme": "jobs", "measure": "Local jobs", "unit": "people", "target": 2, "due_on": date(2027, 3, 31)}
            ],
        )
        with pytest.raises(AwardRuleError, match="Upload your completed budget template"):
            services.submit_tender(tender=tender, by=provider)
        services.save_tender(tender=tender, by=provider, uploads={"budget": budget()})
        services.submit_tender(tender=tender, by=provider)
        tender.refresh_from_db()
        assert tender.receipt["files"][0]["kind"] == "Budget template"
        assert tender.consortium_members.get().role == "Victim support"

    def test_a_consortium_lead_must_name_its_members(self, setup):
        competition = make_published_mini(setup)
        tender = complete_tender(competition, setup.providers[0], submit=False)
        services.save_tender(tender=tender, by=setup.providers[0], is_consortium=True, members=[])
        with pytest.raises(AwardRuleError, match="Name at least one member"):
            services.submit_tender(tender=tender, by=setup.providers[0])

    def test_a_bad_upload_is_refused_with_its_reason(self, setup):
        from django.core.files.uploadedfile import SimpleUploadedFile

        competition = make_published_mini(setup)
        tender = complete_tender(competition, setup.providers[0], submit=False)
        fake = SimpleUploadedFile("budget.pdf", b"not a pdf at all", content_type="application/pdf")
        with pytest.raises(AwardRuleError, match="cannot be used as a PDF"):
            services.save_tender(tender=tender, by=setup.providers[0], uploads={"supporting": fake})


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_make_one():
    setup = make_award_setup()
    competition = make_published_mini(setup)
    tender = complete_tender(competition, setup.providers[0], submit=False)

    def submit():
        try:
            services.submit_tender(tender=Tender.objects.get(pk=tender.pk), by=setup.providers[0])
            return "ok"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: submit(), range(2)))
    assert results == ["ok", "ok"]
    assert TenderVersion.objects.filter(tender=tender).count() == 1
    assert AuditEvent.objects.filter(action="tender.submitted", object_id=str(tender.pk)).count() == 1
    assert Tender.objects.get(pk=tender.pk).version == 1


# --- Seed 002's bounds ---------------------------------------------------------------------------------------


class TestSeed002Bounds:
    @pytest.fixture
    def eoi(self, setup):
        return make_seed_002_eoi(by=setup.officer)

    def _bid(self, eoi, provider, number, price, *, submit=True):
        return complete_tender(eoi, provider, lot_number=number, price=price, submit=submit)

    @pytest.mark.parametrize(
        "price,message",
        [
            (
                "299999.99",
                "Lot 3: Behaviour Change Intervention: the minimum annual bid is £300,000 (you entered £299,999.99)",
            ),
            (
                "1000000.01",
                "Lot 3: Behaviour Change Intervention: the maximum annual bid is £1,000,000 "
                "(you entered £1,000,000.01)",
            ),
        ],
    )
    def test_lot_3_bids_outside_300000_to_1000000_are_refused_naming_the_limit(self, setup, eoi, price, message):
        with pytest.raises(AwardRuleError) as error:
            self._bid(eoi, setup.providers[0], 3, price, submit=False)
        assert error.value.message_dict["annual_price"] == [message]

    @pytest.mark.parametrize("price", ["300000", "1000000"])
    def test_lot_3_bids_at_the_limits_are_accepted(self, setup, eoi, price):
        assert self._bid(eoi, setup.providers[0], 3, price).status == Tender.Status.SUBMITTED

    def test_an_evaluator_bidding_60000_for_lot_2_alone_is_accepted(self, setup, eoi):
        """Seed 002: Lot 2 is the independent evaluation of Lot 1, and the £300,000 to £1,000,000 bound is on
        what the OPCC awards across both lots, not on one supplier's bids (issue 20)."""
        assert self._bid(eoi, setup.providers[0], 2, "60000").status == Tender.Status.SUBMITTED

    def test_lot_1_alone_under_the_combined_minimum_is_accepted(self, setup, eoi):
        assert self._bid(eoi, setup.providers[0], 1, "250000").status == Tender.Status.SUBMITTED

    def test_one_suppliers_bids_over_the_combined_maximum_are_each_within_their_lots(self, setup, eoi):
        provider = setup.providers[0]
        self._bid(eoi, provider, 1, "950000")
        assert self._bid(eoi, provider, 2, "60000").status == Tender.Status.SUBMITTED

    def test_each_bid_keeps_to_its_own_lots_maximum(self, setup, eoi):
        with pytest.raises(AwardRuleError) as error:
            self._bid(eoi, setup.providers[0], 2, "1000000.01", submit=False)
        assert "the maximum annual bid is £1,000,000" in error.value.message_dict["annual_price"][0]

    def test_the_combined_bound_is_checked_on_what_is_awarded(self, setup, eoi):
        first, second = setup.providers[0], setup.providers[1]
        lot_1 = self._bid(eoi, first, 1, "200000")
        lot_2 = self._bid(eoi, second, 2, "60000")
        open_competition(eoi, setup.officer, setup.officer2)
        evaluate_all(eoi, setup.officer, setup.evaluators)
        [check] = selectors.combined_award_checks(eoi)
        assert check.label == "Lots 1 and 2" and check.awarded == {} and not check.outside
        services.decide_award(lot=lot_1.lot, tender=Tender.objects.get(pk=lot_1.pk), reasons="Best.", by=setup.officer)
        [check] = selectors.combined_award_checks(eoi)
        assert check.total == Decimal("200000") and check.below_minimum and check.outside and not check.complete
        services.decide_award(lot=lot_2.lot, tender=Tender.objects.get(pk=lot_2.pk), reasons="Best.", by=setup.officer)
        [check] = selectors.combined_award_checks(eoi)
        assert check.total == Decimal("260000") and check.complete and check.outside

    def test_awards_within_the_combined_bound_raise_no_warning(self, setup, eoi):
        lot_1 = self._bid(eoi, setup.providers[0], 1, "250000")
        lot_2 = self._bid(eoi, setup.providers[1], 2, "60000")
        open_competition(eoi, setup.officer, setup.officer2)
        evaluate_all(eoi, setup.officer, setup.evaluators)
        for tender in (lot_1, lot_2):
            services.decide_award(
                lot=tender.lot, tender=Tender.objects.get(pk=tender.pk), reasons="Best.", by=setup.officer
            )
        [check] = selectors.combined_award_checks(eoi)
        assert check.total == Decimal("310000") and check.complete and not check.outside

    def test_lots_must_be_named_for_a_combined_limit(self, setup):
        eoi = make_seed_002_eoi(by=setup.officer, publish=False)
        with pytest.raises(AwardRuleError, match="two or more of the lots"):
            services.save_lots(
                competition=eoi,
                lots=[{"number": 1, "title": "One"}, {"number": 2, "title": "Two"}],
                combined=[{"lots": [1, 4], "min_total": Decimal("1")}],
                by=setup.officer,
            )


# --- Clarifications -------------------------------------------------------------------------------------------


class TestClarifications:
    def test_answers_are_published_to_every_bidder_without_the_askers_name(self, setup):
        competition = make_published_mini(setup)
        asker = setup.providers[0]
        question = services.ask_question(
            competition=competition, question=f"{setup.suppliers[0].legal_name} asks: is there TUPE?", by=asker
        )
        services.answer_question(
            question=question,
            published_question="Is there TUPE?",
            answer="No, this is a new service.",
            by=setup.officer,
        )
        result = notifications.run_sweep()
        assert result.counts["sent"] >= 2
        sent = [m for m in mail.outbox if m.subject.startswith("Clarification published")]
        assert {m.to[0] for m in sent} == {p.email for p in setup.providers}
        for message in sent:
            assert "Is there TUPE?" in message.body and "No, this is a new service." in message.body
            assert setup.suppliers[0].legal_name not in message.body
        notifications.run_sweep()
        assert len([m for m in mail.outbox if m.subject.startswith("Clarification published")]) == 2

    def test_questions_close_at_their_deadline(self, setup):
        competition = make_published_mini(setup)
        with pytest.raises(AwardRuleError, match="The deadline for questions was"):
            services.ask_question(
                competition=competition, question="Late?", by=setup.providers[0], now=competition.clarification_deadline
            )

    def test_an_answer_is_published_once(self, setup):
        competition = make_published_mini(setup)
        question = services.ask_question(competition=competition, question="Q?", by=setup.providers[0])
        with pytest.raises(AwardRuleError, match="Enter the answer"):
            services.answer_question(question=question, answer=" ", by=setup.officer)
        services.answer_question(question=question, answer="A.", by=setup.officer)
        with pytest.raises(AwardRuleError, match="already been answered"):
            services.answer_question(question=question, answer="Again", by=setup.officer)
        with pytest.raises(PermissionDenied):
            services.answer_question(question=question, answer="A.", by=setup.providers[0])


# --- Reminders -------------------------------------------------------------------------------------------------


def test_suppliers_with_a_draft_are_reminded_7_and_1_days_before_the_closing_time(setup):
    competition = make_published_mini(setup)
    complete_tender(competition, setup.providers[0], submit=False)
    complete_tender(competition, setup.providers[1])  # submitted: not reminded
    closing_day = timezone.localdate(competition.closes_at)
    notifications.run_sweep(closing_day - timedelta(days=8))
    assert not [m for m in mail.outbox if "closes" in m.subject]
    notifications.run_sweep(closing_day - timedelta(days=7))
    notifications.run_sweep(closing_day - timedelta(days=7))
    notifications.run_sweep(closing_day - timedelta(days=1))
    reminders = [m for m in mail.outbox if "your response is not submitted" in m.subject]
    assert [m.to[0] for m in reminders] == [setup.providers[0].email] * 2
    assert "in 7 days" in reminders[0].subject and "tomorrow" in reminders[1].subject


# --- Opening --------------------------------------------------------------------------------------------------


class TestOpening:
    def test_opening_needs_a_second_different_officer_and_both_are_recorded(self, setup):
        competition = make_published_mini(setup)
        tender = complete_tender(competition, setup.providers[0])
        with pytest.raises(AwardRuleError, match="sealed until the closing time"):
            services.request_opening(competition=competition, by=setup.officer)
        close_now(competition)
        with pytest.raises(AwardRuleError, match="Ask to open the responses first"):
            services.confirm_opening(competition=competition, by=setup.officer2)
        services.request_opening(competition=competition, by=setup.officer)
        with pytest.raises(AwardRuleError, match="a second, different officer must confirm"):
            services.confirm_opening(competition=competition, by=setup.officer)
        assert Competition.objects.get(pk=competition.pk).opened_at is None
        assert Tender.objects.get(pk=tender.pk).status == Tender.Status.SUBMITTED
        services.confirm_opening(competition=competition, by=setup.officer2)
        competition.refresh_from_db()
        assert competition.status == Competition.Status.CLOSED
        assert (competition.opening_requested_by, competition.opened_by) == (setup.officer, setup.officer2)
        assert Tender.objects.get(pk=tender.pk).status == Tender.Status.OPENED
        closed = AuditEvent.objects.get(action="competition.closed", object_id=str(competition.pk))
        assert (
            closed.data["requested_by"] == setup.officer.email and closed.data["confirmed_by"] == setup.officer2.email
        )

    def test_drafts_and_withdrawn_responses_are_not_opened(self, setup):
        competition = make_published_mini(setup)
        draft = complete_tender(competition, setup.providers[0], submit=False)
        withdrawn = complete_tender(competition, setup.providers[1])
        services.withdraw_tender(tender=withdrawn, by=setup.providers[1])
        open_competition(competition, setup.officer, setup.officer2)
        assert Tender.objects.get(pk=draft.pk).status == Tender.Status.DRAFT
        assert Tender.objects.get(pk=withdrawn.pk).status == Tender.Status.WITHDRAWN


# --- Evaluation, price and award ------------------------------------------------------------------------------


class TestEvaluationAndAward:
    def test_the_price_formula(self):
        assert price_points(Decimal("90000"), Decimal("120000"), 30) == Decimal("22.50")
        assert price_points(Decimal("90000"), Decimal("90000"), 30) == Decimal("30.00")
        assert price_points(Decimal("100000"), Decimal("300000"), 20) == Decimal("6.67")

    def test_conflicts_come_first_and_marks_are_kept_after_moderation(self, setup):
        competition = make_published_mini(setup)
        tender = complete_tender(competition, setup.providers[0])
        open_competition(competition, setup.officer, setup.officer2)
        evaluation.assign_evaluators(target=competition, evaluators=setup.evaluators, by=setup.officer)
        first, second = tender.assignments.order_by("pk")
        criteria = [c for c in competition.criteria.all() if c.is_scored]
        with pytest.raises(AwardRuleError, match="Declare that you have no conflict"):
            evaluation.save_scores(assignment=first, scores={}, submit=False, by=first.evaluator)
        evaluation.declare_conflict(assignment=first, has_conflict=False, details="", by=first.evaluator)
        evaluation.declare_conflict(assignment=second, has_conflict=True, details="Former trustee", by=second.evaluator)
        with pytest.raises(AwardRuleError):
            evaluation.save_scores(assignment=second, scores={}, submit=False, by=second.evaluator)
        marks = {c.pk: {"score": 2, "comment": "Some gaps."} for c in criteria}
        with pytest.raises(AwardRuleError, match="Moderate once"):
            evaluation.moderate(subject=tender, criterion=criteria[0], score=3, reason="x", by=setup.officer)
        evaluation.save_scores(assignment=first, scores=marks, submit=True, by=first.evaluator)
        # One evaluator free of a conflict is not a panel: moderation waits for the replacement's scores.
        with pytest.raises(AwardRuleError, match="Moderate once at least two evaluators"):
            evaluation.moderate(subject=tender, criterion=criteria[0], score=3, reason="x", by=setup.officer)
        evaluation.assign_evaluators(target=competition, evaluators=[setup.officer2], by=setup.officer)
        replacement = tender.assignments.get(evaluator=setup.officer2)
        evaluation.declare_conflict(assignment=replacement, has_conflict=False, details="", by=setup.officer2)
        with pytest.raises(AwardRuleError, match="Moderate once at least two evaluators"):
            evaluation.moderate(subject=tender, criterion=criteria[0], score=3, reason="x", by=setup.officer)
        evaluation.save_scores(
            assignment=replacement,
            scores={c.pk: {"score": 3, "comment": "Clear."} for c in criteria},
            submit=True,
            by=setup.officer2,
        )
        for criterion in criteria:
            evaluation.moderate(subject=tender, criterion=criterion, score=3, reason="Panel view", by=setup.officer)
        assert set(TenderScore.objects.filter(assignment=first).values_list("score", flat=True)) == {2}
        assert Tender.objects.get(pk=tender.pk).status == Tender.Status.SCORED
        assert Competition.objects.get(pk=competition.pk).status == Competition.Status.EVALUATED

    def test_evaluators_need_two_and_moderation_needs_a_reason(self, setup):
        competition = make_published_mini(setup)
        tender = complete_tender(competition, setup.providers[0])
        open_competition(competition, setup.officer, setup.officer2)
        with pytest.raises(AwardRuleError, match="Assign at least two evaluators"):
            evaluation.assign_evaluators(target=competition, evaluators=setup.evaluators[:1], by=setup.officer)
        evaluate_all(competition, setup.officer, setup.evaluators)
        criterion = competition.criteria.filter(kind="quality").first()
        with pytest.raises(AwardRuleError, match="Give the reason"):
            evaluation.moderate(subject=tender, criterion=criterion, score=3, reason="", by=setup.officer)

    def test_totals_and_ranking_and_the_award(self, setup, django_capture_on_commit_callbacks):
        competition = make_published_mini(setup)
        cheap = complete_tender(competition, setup.providers[0], price="40000")
        good = complete_tender(competition, setup.providers[1], price="50000")
        open_competition(competition, setup.officer, setup.officer2)
        evaluate_all(competition, setup.officer, setup.evaluators, marks={good.pk: {"Service delivery": 4}})
        results = lot_results(competition.lots.get())
        # good: 40×4/4 + 20×3/4 + 30×40000/50000 + 10×3/4 = 40 + 15 + 24 + 7.5
        # cheap: 40×3/4 + 15 + 30 + 7.5
        assert [(r.tender.pk, r.total, r.rank) for r in results] == [
            (good.pk, Decimal("86.50"), 1),
            (cheap.pk, Decimal("82.50"), 2),
        ]
        with pytest.raises(AwardRuleError, match="ranked 2"):
            services.decide_award(lot=competition.lots.get(), tender=cheap, reasons="Cheapest", by=setup.officer)
        with django_capture_on_commit_callbacks(execute=True):
            award = services.decide_award(
                lot=competition.lots.get(), tender=good, reasons="Highest score", by=setup.officer
            )
        assert award.standstill_ends_on is None  # it begins with the contract award notice (s.51)
        published = timezone.localdate(award.decided_at)
        award = publish_award_notice(award, setup.officer, published_on=published)
        assert award.standstill_ends_on == standstill_last_day(published, 8)
        assert Tender.objects.get(pk=good.pk).status == Tender.Status.SUCCESSFUL
        assert Tender.objects.get(pk=cheap.pk).status == Tender.Status.UNSUCCESSFUL
        summaries = GeneratedDocument.objects.filter(kind="assessment-summary")
        assert summaries.count() == 2 and set(summaries.values_list("status", flat=True)) == {"ready"}
        assert {m.to[0] for m in mail.outbox if m.subject.startswith("Outcome")} == {p.email for p in setup.providers}
        with pytest.raises(AwardRuleError, match="already been awarded"):
            services.decide_award(lot=competition.lots.get(), tender=good, reasons="Again", by=setup.officer)

    def test_the_assessment_summary_shows_the_bidders_scores_beside_the_winners(
        self, setup, django_capture_on_commit_callbacks
    ):
        import subprocess

        competition = make_published_mini(setup)
        loser = complete_tender(competition, setup.providers[0], price="40000")
        winner = complete_tender(competition, setup.providers[1], price="50000")
        open_competition(competition, setup.officer, setup.officer2)
        evaluate_all(competition, setup.officer, setup.evaluators, marks={winner.pk: {"Service delivery": 4}})
        with django_capture_on_commit_callbacks(execute=True):
            services.decide_award(
                lot=competition.lots.get(), tender=winner, reasons="Strongest delivery model", by=setup.officer
            )
        document = GeneratedDocument.objects.get(kind="assessment-summary", target_id=str(loser.pk))
        text = subprocess.run(["pdftotext", "-layout", document.file.path, "-"], capture_output=True, text=True).stdout
        assert "not successful" in text and setup.suppliers[1].legal_name in text
        assert "82.50" in text and "86.50" in text and "Ranked 2 of 2" in text
        assert "Strongest delivery model" in text and "Agreed by the panel." in text

    def test_the_standstill_runs_before_the_contract_and_the_social_value_is_copied(self, setup):
        competition = make_published_mini(setup, estimated_value="120000")
        tender = complete_tender(competition, setup.providers[0], price="60000")
        open_competition(competition, setup.officer, setup.officer2)
        evaluate_all(competition, setup.officer, setup.evaluators)
        award = services.decide_award(lot=competition.lots.get(), tender=tender, reasons="Only bid", by=setup.officer)
        with pytest.raises(AwardRuleError, match="contract award notice"):
            services.create_award_contract(
                award=award, reference="C-STAND", start_on=date(2026, 4, 1), by=setup.officer, today=date(2030, 1, 1)
            )
        award = publish_award_notice(award, setup.officer)
        with pytest.raises(AwardRuleError, match="standstill period runs to the end of"):
            services.create_award_contract(
                award=award,
                reference="C-STAND",
                start_on=date(2026, 4, 1),
                by=setup.officer,
                today=award.standstill_ends_on,
            )
        contract = services.create_award_contract(
            award=award,
            reference="C-STAND",
            start_on=date(2026, 4, 1),
            by=setup.officer,
            today=award.standstill_ends_on + timedelta(days=1),
        )
        assert contract.origin == Contract.Origin.AWARD and contract.source == award
        assert contract.supplier == setup.suppliers[0] and contract.lot == setup.lot
        assert set(contract.areas.all()) == set(setup.areas)
        assert contract.total_value_now == Decimal("120000.00")
        proposal = contract.social_value_proposal
        assert proposal.is_accepted and proposal.score == Decimal("75.00")
        assert proposal.commitments.get().measure == "Local people employed"
        with pytest.raises(AwardRuleError, match="already been created"):
            services.create_award_contract(award=award, reference="C-2", start_on=date(2026, 4, 1), by=setup.officer)

    def test_a_light_touch_award_may_skip_the_standstill_with_a_reason(self, setup):
        competition = make_published_mini(setup)
        tender = complete_tender(competition, setup.providers[0])
        open_competition(competition, setup.officer, setup.officer2)
        evaluate_all(competition, setup.officer, setup.evaluators)
        award = services.decide_award(
            lot=competition.lots.get(),
            tender=tender,
            reasons="Only bid",
            skip_standstill_reason="Light-touch call-off under the framework; no other bidder.",
            by=setup.officer,
        )
        assert award.standstill_ends_on is None
        services.create_award_contract(award=award, reference="C-LT", start_on=date(2026, 4, 1), by=setup.officer)

    def test_the_standstill_cannot_be_skipped_when_the_award_is_not_light_touch(self, setup):
        setup.framework.is_light_touch = False
        setup.framework.save()
        competition = make_published_mini(setup)
        assert not competition.is_light_touch
        tender = complete_tender(competition, setup.providers[0])
        open_competition(competition, setup.officer, setup.officer2)
        evaluate_all(competition, setup.officer, setup.evaluators)
        with pytest.raises(AwardRuleError, match="Only a light-touch award"):
            services.decide_award(
                lot=competition.lots.get(), tender=tender, reasons="x", skip_standstill_reason="Hurry", by=setup.officer
            )
        assert not Award.objects.exists()


# --- Lots not awarded ----------------------------------------------------------------------------------------


class TestNoAward:
    def _evaluated_mini(self, setup):
        competition = make_published_mini(setup)
        first = complete_tender(competition, setup.providers[0], price="40000")
        second = complete_tender(competition, setup.providers[1], price="50000")
        open_competition(competition, setup.officer, setup.officer2)
        evaluate_all(competition, setup.officer, setup.evaluators)
        return competition, [first, second]

    def _evaluated_eoi(self, setup):
        """Seed 002 with responses to Lot 1 (two bidders) and Lot 3 (one), scored and moderated."""
        eoi = make_seed_002_eoi(by=setup.officer)
        lot_1 = [complete_tender(eoi, p, lot_number=1, price="300000") for p in setup.providers[:2]]
        lot_3 = complete_tender(eoi, setup.providers[0], lot_number=3, price="400000")
        open_competition(eoi, setup.officer, setup.officer2)
        evaluate_all(eoi, setup.officer, setup.evaluators)
        assert eoi.status == Competition.Status.EVALUATED
        return eoi, lot_1, lot_3

    def _contract_after_standstill(self, award, setup):
        award = publish_award_notice(award, setup.officer)
        return services.create_award_contract(
            award=award,
            reference="EOI-L3",
            start_on=date(2026, 4, 1),
            by=setup.officer,
            today=award.standstill_ends_on + timedelta(days=1),
        )

    def test_the_bidders_are_told_why_and_a_competition_with_no_lot_awarded_ends_cancelled(
        self, setup, django_capture_on_commit_callbacks
    ):
        competition, tenders = self._evaluated_mini(setup)
        lot = competition.lots.get()
        with django_capture_on_commit_callbacks(execute=True):
            decision = services.decide_no_award(
                lot=lot, reasons="  Neither response met the quality threshold of 60 points.  ", by=setup.officer
            )
        assert decision.reasons == "Neither response met the quality threshold of 60 points."
        assert decision.decided_by == setup.officer and decision.lot == lot
        assert {Tender.objects.get(pk=t.pk).status for t in tenders} == {Tender.Status.UNSUCCESSFUL}
        competition.refresh_from_db()
        assert competition.status == Competition.Status.CANCELLED
        assert competition.cancellation_reason == "No lot was awarded." and competition.cancelled_by == setup.officer
        assert actions(competition)[-2:] == ["competition.lot_not_awarded", "competition.cancelled"]
        event = AuditEvent.objects.get(action="competition.lot_not_awarded")
        assert event.data["lot"] == 1 and set(event.data["bidders"]) == {s.legal_name for s in setup.suppliers}
        outcomes = [m for m in mail.outbox if m.subject.startswith("Outcome")]
        assert {m.to[0] for m in outcomes} == {p.email for p in setup.providers}
        assert all("quality threshold of 60 points" in m.body for m in outcomes)
        assert not Award.objects.exists()

    def test_the_reasons_are_required_and_nothing_changes_without_them(self, setup):
        competition, tenders = self._evaluated_mini(setup)
        with pytest.raises(AwardRuleError) as error:
            services.decide_no_award(lot=competition.lots.get(), reasons="   ", by=setup.officer)
        assert error.value.message_dict == {"reasons": ["Give the reasons for not awarding the lot"]}
        assert not NoAward.objects.exists()
        assert {Tender.objects.get(pk=t.pk).status for t in tenders} == {Tender.Status.SCORED}

    def test_only_once_the_responses_are_evaluated(self, setup):
        competition = make_published_mini(setup)
        complete_tender(competition, setup.providers[0])
        open_competition(competition, setup.officer, setup.officer2)
        assert competition.status == Competition.Status.CLOSED
        with pytest.raises(AwardRuleError, match="once every opened response has been scored"):
            services.decide_no_award(lot=competition.lots.get(), reasons="Too dear", by=setup.officer)

    def test_officers_of_another_authority_and_evaluators_are_refused(self, setup):
        competition, _ = self._evaluated_mini(setup)
        for user in (make_user(User.Role.OFFICER), setup.evaluators[0]):
            with pytest.raises(PermissionDenied):
                services.decide_no_award(lot=competition.lots.get(), reasons="Too dear", by=user)
        assert not NoAward.objects.exists()

    def test_an_awarded_lot_cannot_then_be_not_awarded(self, setup):
        competition, tenders = self._evaluated_mini(setup)
        winner = lot_results(competition.lots.get())[0].tender
        services.decide_award(lot=competition.lots.get(), tender=winner, reasons="Best", by=setup.officer)
        with pytest.raises(AwardRuleError, match="already been awarded"):
            services.decide_no_award(lot=competition.lots.get(), reasons="Changed our mind", by=setup.officer)

    def test_a_lot_not_awarded_after_the_others_are_contracted_completes_the_competition(self, setup):
        eoi, lot_1_tenders, lot_3_tender = self._evaluated_eoi(setup)
        award = services.decide_award(
            lot=eoi.lots.get(number=3), tender=lot_3_tender, reasons="Only bid, good", by=setup.officer
        )
        self._contract_after_standstill(award, setup)
        eoi.refresh_from_db()
        assert eoi.status == Competition.Status.EVALUATED  # Lot 1 is still to decide
        services.decide_no_award(lot=eoi.lots.get(number=1), reasons="Both bids over budget.", by=setup.officer)
        eoi.refresh_from_db()
        assert eoi.status == Competition.Status.CONTRACTED
        assert actions(eoi)[-3:] == ["competition.lot_not_awarded", "competition.awarded", "competition.contracted"]

    def test_a_competition_with_an_awarded_lot_cannot_be_cancelled(self, setup):
        eoi, _, lot_3_tender = self._evaluated_eoi(setup)
        services.decide_award(lot=eoi.lots.get(number=3), tender=lot_3_tender, reasons="Good", by=setup.officer)
        with pytest.raises(AwardRuleError, match="has been awarded, so it cannot be cancelled"):
            services.cancel_competition(competition=eoi, reason="Budget withdrawn", by=setup.officer)
        eoi.refresh_from_db()
        assert eoi.status == Competition.Status.EVALUATED and eoi.cancelled_at is None

    def test_one_lot_not_awarded_lets_the_others_go_on_to_award_and_contract(self, setup):
        eoi, lot_1_tenders, lot_3_tender = self._evaluated_eoi(setup)
        lot_1, lot_3 = eoi.lots.get(number=1), eoi.lots.get(number=3)
        services.decide_no_award(lot=lot_1, reasons="Both bids exceed the Lot 1 budget.", by=setup.officer)
        eoi.refresh_from_db()
        assert eoi.status == Competition.Status.EVALUATED  # Lot 3 is still to decide
        with pytest.raises(AwardRuleError, match="already been recorded as not awarded"):
            services.decide_no_award(lot=lot_1, reasons="Again", by=setup.officer)
        with pytest.raises(AwardRuleError, match="recorded as not awarded"):
            services.decide_award(lot=lot_1, tender=lot_1_tenders[0], reasons="After all", by=setup.officer)
        award = services.decide_award(lot=lot_3, tender=lot_3_tender, reasons="Only bid, good", by=setup.officer)
        eoi.refresh_from_db()
        assert eoi.status == Competition.Status.AWARDED
        assert Tender.objects.get(pk=lot_3_tender.pk).status == Tender.Status.SUCCESSFUL
        self._contract_after_standstill(award, setup)
        eoi.refresh_from_db()
        assert eoi.status == Competition.Status.CONTRACTED


# --- Direct awards --------------------------------------------------------------------------------------------


class TestDirectAwards:
    def test_a_framework_call_off_needs_an_active_appointee_covering_every_area(self, setup):
        with pytest.raises(AwardRuleError) as error:
            make_direct_award(setup, supplier=setup.partial_supplier)
        assert "no active appointment" in error.value.message_dict["supplier"][0]
        with pytest.raises(AwardRuleError, match="names the framework lot"):
            make_direct_award(setup, framework_lot=None)
        with pytest.raises(AwardRuleError, match="Explain why"):
            make_direct_award(setup, explanation=" ")

    def test_the_threshold_at_100000_and_100000_01(self, setup):
        # 12 months from 1 April: the whole value falls in one financial year.
        at = make_direct_award(
            setup,
            reference="DA-AT",
            annual_value=Decimal("100000.00"),
            term_months=12,
            social_value_summary="",
            commitments=[],
        )
        assert not at.criteria.exists()
        with pytest.raises(AwardRuleError, match="over £100,000"):
            make_direct_award(
                setup,
                reference="DA-OVER",
                annual_value=Decimal("100000.01"),
                term_months=12,
                social_value_summary="",
                commitments=[],
            )
        over = make_direct_award(setup, reference="DA-OVER", annual_value=Decimal("100000.01"), term_months=12)
        assert over.criteria.get().is_social_value

    def test_approval_needs_a_second_officer_and_a_moderated_social_value_score(self, setup):
        direct_award = make_direct_award(setup, annual_value=Decimal("60000"))
        with pytest.raises(AwardRuleError, match="second, different officer"):
            services.approve_direct_award(direct_award=direct_award, by=setup.officer)
        with pytest.raises(AwardRuleError, match="Score and moderate"):
            services.approve_direct_award(direct_award=direct_award, by=setup.officer2)
        evaluation.assign_evaluators(target=direct_award, evaluators=setup.evaluators, by=setup.officer)
        criterion = direct_award.criteria.get()
        for assignment in direct_award.assignments.all():
            evaluation.declare_conflict(assignment=assignment, has_conflict=False, details="", by=assignment.evaluator)
            evaluation.save_scores(
                assignment=assignment,
                scores={criterion.pk: {"score": 3, "comment": "Good"}},
                submit=True,
                by=assignment.evaluator,
            )
        evaluation.moderate(subject=direct_award, criterion=criterion, score=4, reason="Strong", by=setup.officer)
        services.approve_direct_award(direct_award=direct_award, note="Checked", by=setup.officer2)
        direct_award.refresh_from_db()
        assert direct_award.status == DirectAward.Status.APPROVED and direct_award.decided_by == setup.officer2
        contract = direct_award.contract
        assert contract.origin == Contract.Origin.DIRECT_AWARD and contract.source == direct_award
        assert contract.reference == "DA-TEST-1" and contract.total_value_now == Decimal("120000.00")
        assert contract.social_value_proposal.is_accepted and contract.social_value_proposal.score == Decimal("100.00")
        assert {"direct_award.requested", "direct_award.approved"} <= set(actions(direct_award))
        with pytest.raises(AwardRuleError, match="approved"):
            services.approve_direct_award(direct_award=direct_award, by=setup.officer2)

    def test_a_direct_award_under_the_threshold_is_approved_without_scoring(self, setup):
        direct_award = make_direct_award(setup, annual_value=Decimal("40000"), social_value_summary="", commitments=[])
        services.approve_direct_award(direct_award=direct_award, by=setup.officer2)
        assert DirectAward.objects.get(pk=direct_award.pk).contract.total_value_now == Decimal("80000.00")

    def test_rejection_needs_a_reason_and_another_officer(self, setup):
        direct_award = make_direct_award(setup)
        with pytest.raises(AwardRuleError, match="second, different officer"):
            services.reject_direct_award(direct_award=direct_award, reason="No", by=setup.officer)
        with pytest.raises(AwardRuleError, match="Give the reason"):
            services.reject_direct_award(direct_award=direct_award, reason="", by=setup.officer2)
        services.reject_direct_award(direct_award=direct_award, reason="Compete it instead", by=setup.officer2)
        assert DirectAward.objects.get(pk=direct_award.pk).status == DirectAward.Status.REJECTED
        assert not Contract.objects.filter(reference="DA-TEST-1").exists()

    def test_a_schedule_5_award_need_not_be_on_a_framework(self, setup):
        direct_award = make_direct_award(
            setup,
            framework_lot=None,
            areas=[],
            justification=Justification.URGENCY,
            supplier=setup.partial_supplier,
            annual_value=Decimal("30000"),
            social_value_summary="",
            commitments=[],
        )
        services.approve_direct_award(direct_award=direct_award, by=setup.officer2)
        assert DirectAward.objects.get(pk=direct_award.pk).contract.lot is None
