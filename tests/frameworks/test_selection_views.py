"""Every selection-stage view with an allowed and a refused user; bad input; query budgets."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.models import User
from frameworks import evaluation, selectors, services
from frameworks.models import Application, Appointment
from tests.factories import make_user
from tests.factories.frameworks import make_appointment
from tests.frameworks.conftest import complete_application, evaluate_fully

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(selection):
    application = complete_application(selection)
    return services.submit_application(application=application, by=selection.provider)


def provider_urls(application, selection):
    pk = application.pk
    return [
        reverse("frameworks:task_list", args=[pk]),
        reverse("frameworks:edit_lots", args=[pk]),
        reverse("frameworks:edit_consortium", args=[pk]),
        reverse("frameworks:edit_consent", args=[pk]),
        reverse("frameworks:edit_section", args=[pk, "service-delivery"]),
        reverse("frameworks:check_answers", args=[pk]),
        reverse("frameworks:provider_application", args=[pk]),
        reverse("frameworks:withdraw", args=[pk]),
    ]


class TestProviderPages:
    def test_the_owner_reaches_every_page(self, client, selection):
        application = complete_application(selection)
        client.force_login(selection.provider)
        for url in provider_urls(application, selection):
            assert client.get(url).status_code == 200, url

    def test_another_supplier_gets_404_for_get_and_post(self, client, selection):
        application = complete_application(selection)
        client.force_login(make_user(User.Role.PROVIDER))
        for url in provider_urls(application, selection) + [
            reverse("frameworks:autosave", args=[application.pk, "service-delivery"]),
            reverse("frameworks:provider_answer_file", args=[application.pk, application.answers.first().pk]),
        ]:
            assert client.get(url).status_code in (404, 405), url
            assert client.post(url, {"q_1": "x"}).status_code == 404, url
        assert Application.objects.get(pk=application.pk).status == Application.Status.DRAFT

    @pytest.mark.parametrize("role", ["officer", "evaluator", "partner"])
    def test_other_roles_are_refused(self, client, selection, role):
        application = complete_application(selection)
        client.force_login(make_user(role))
        assert client.get(reverse("frameworks:task_list", args=[application.pk])).status_code == 403

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, selection):
        application = complete_application(selection)
        response = client.get(reverse("frameworks:task_list", args=[application.pk]))
        assert response.status_code == 302 and response.url.startswith("/sign-in/")

    def test_choosing_no_lot_shows_the_error_in_the_summary_and_by_the_field(self, client, selection):
        application = services.start_application(window=selection.window, by=selection.provider)
        client.force_login(selection.provider)
        area = selection.areas[0]
        response = client.post(reverse("frameworks:edit_lots", args=[application.pk]), {"areas_2": [area.pk]})
        html = response.content.decode()
        assert "There is a problem" in html
        assert 'href="#id_lot_1">Select at least one lot</a>' in html
        assert "Select lot 2 if you will cover those areas" in html
        assert f'value="{area.pk}" checked' in html  # what was ticked is still ticked

    def test_a_word_limit_breach_keeps_the_text(self, client, selection):
        selection.delivery.word_limit = 5
        selection.delivery.save()
        application = complete_application(selection)
        client.force_login(selection.provider)
        text = "one two three four five six seven"
        response = client.post(
            reverse("frameworks:edit_section", args=[application.pk, "service-delivery"]),
            {f"q_{selection.delivery.pk}": text},
        )
        html = response.content.decode()
        assert "must be 5 words or fewer (it is 2 over)" in html
        assert text in html

    def test_a_fake_pdf_is_refused_next_to_the_field(self, client, selection):
        from django.core.files.uploadedfile import SimpleUploadedFile

        application = complete_application(selection)
        client.force_login(selection.provider)
        fake = SimpleUploadedFile("policy.pdf", b"just text pretending", content_type="application/pdf")
        response = client.post(
            reverse("frameworks:edit_section", args=[application.pk, "safeguarding"]),
            {f"q_{selection.policy.pk}": "Our policy", f"file_{selection.policy.pk}": fake},
        )
        assert "cannot be used as a PDF" in response.content.decode()

    def test_autosave_stores_typing_and_refuses_after_closing(self, client, selection):
        application = services.start_application(window=selection.window, by=selection.provider)
        services.save_lots(application=application, by=selection.provider, choices={selection.lot2: selection.areas})
        client.force_login(selection.provider)
        url = reverse("frameworks:autosave", args=[application.pk, "service-delivery"])
        response = client.post(url, {f"q_{selection.delivery.pk}": "Half-written answer"})
        assert response.json()["saved"] is True
        assert application.answers.get(question=selection.delivery).text == "Half-written answer"
        from django.utils import timezone

        selection.window.closes_at = timezone.now()
        selection.window.save()
        response = client.post(url, {f"q_{selection.delivery.pk}": "Later"})
        assert response.status_code == 409 and "closed" in response.json()["message"]

    def test_a_consortium_member_longer_than_the_register_holds_is_refused_and_kept(self, client, selection):
        application = services.start_application(window=selection.window, by=selection.provider)
        client.force_login(selection.provider)
        long_name = "Northfield Women's Aid " * 10  # 230 characters
        response = client.post(
            reverse("frameworks:edit_consortium", args=[application.pk]),
            {
                "is_consortium": "yes",
                "members-TOTAL_FORMS": "1",
                "members-INITIAL_FORMS": "0",
                "members-0-name": long_name,
                "members-0-registration_number": "1" * 21,
                "members-0-role": "Refuge places",
            },
        )
        html = response.content.decode()
        assert response.status_code == 200 and "govuk-error-summary" in html
        assert "Ensure this value has at most 200 characters" in html
        assert "Ensure this value has at most 20 characters" in html
        assert "Refuge places" in html
        assert not application.consortium_members.exists()

    def test_autosave_refuses_a_nul_character_with_a_message(self, client, selection):
        application = services.start_application(window=selection.window, by=selection.provider)
        services.save_lots(application=application, by=selection.provider, choices={selection.lot2: selection.areas})
        client.force_login(selection.provider)
        url = reverse("frameworks:autosave", args=[application.pk, "service-delivery"])
        assert client.post(url, {f"q_{selection.delivery.pk}": "Half-written answer"}).json()["saved"] is True
        response = client.post(url, {f"q_{selection.delivery.pk}": "Pasted\x00text"})
        assert response.status_code == 409 and "cannot be saved" in response.json()["message"]
        assert application.answers.get(question=selection.delivery).text == "Half-written answer"

    def test_submitting_after_the_deadline_is_refused_with_a_message_and_the_draft_kept(self, client, selection):
        application = complete_application(selection)
        from django.utils import timezone

        selection.window.closes_at = timezone.now()
        selection.window.save()
        client.force_login(selection.provider)
        response = client.post(reverse("frameworks:check_answers", args=[application.pk]))
        assert response.status_code == 422
        assert "The application window closed at" in response.content.decode()
        assert Application.objects.get(pk=application.pk).status == Application.Status.DRAFT

    def test_submit_then_receipt(self, client, selection):
        application = complete_application(selection)
        client.force_login(selection.provider)
        response = client.post(reverse("frameworks:check_answers", args=[application.pk]))
        assert response.status_code == 302
        receipt = client.get(response.url).content.decode()
        assert f"APP-{application.pk:06d}" in receipt and "SHA-256" in receipt

    def test_the_provider_downloads_their_own_file_as_an_attachment(self, client, selection):
        application = complete_application(selection)
        client.force_login(selection.provider)
        answer = application.answers.get(question=selection.policy)
        response = client.get(reverse("frameworks:provider_answer_file", args=[application.pk, answer.pk]))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content).startswith(b"%PDF")


class TestEvaluatorPages:
    def test_content_is_hidden_until_no_conflict_is_declared(self, client, selection, submitted):
        evaluation.assign_evaluators(target=submitted, evaluators=selection.evaluators, by=selection.officer)
        assignment = submitted.assignments.get(evaluator=selection.evaluators[0])
        client.force_login(selection.evaluators[0])
        url = reverse("frameworks:evaluate", args=[assignment.pk])
        page = client.get(url).content.decode()
        assert "Declare any conflict of interest" in page and "Our answer to" not in page
        answer = submitted.answers.first()
        assert (
            client.get(reverse("frameworks:evaluator_answer_file", args=[assignment.pk, answer.pk])).status_code == 404
        )
        response = client.post(url, {"has_conflict": "yes", "details": ""})
        assert "Describe the conflict of interest" in response.content.decode()
        client.post(url, {"has_conflict": "no"})
        assert "Our answer to" in client.get(url).content.decode()

    def test_an_unassigned_evaluator_gets_404(self, client, selection, submitted):
        evaluation.assign_evaluators(target=submitted, evaluators=selection.evaluators, by=selection.officer)
        assignment = submitted.assignments.first()
        client.force_login(make_user(User.Role.EVALUATOR))
        assert client.get(reverse("frameworks:evaluate", args=[assignment.pk])).status_code == 404
        assert (
            client.post(reverse("frameworks:evaluate", args=[assignment.pk]), {"has_conflict": "no"}).status_code == 404
        )

    def test_providers_and_partners_are_refused(self, client, selection, submitted):
        evaluation.assign_evaluators(target=submitted, evaluators=selection.evaluators, by=selection.officer)
        assignment = submitted.assignments.first()
        for role in ("provider", "partner"):
            client.force_login(make_user(role))
            assert client.get(reverse("frameworks:evaluate", args=[assignment.pk])).status_code == 403

    def test_scoring_in_the_page_submits_scores(self, client, selection, submitted):
        evaluation.assign_evaluators(target=submitted, evaluators=selection.evaluators, by=selection.officer)
        assignment = submitted.assignments.get(evaluator=selection.evaluators[0])
        evaluation.declare_conflict(assignment=assignment, has_conflict=False, details="", by=assignment.evaluator)
        client.force_login(assignment.evaluator)
        data = {"submit": "1"}
        for q in (selection.delivery, selection.outcomes):
            data[f"score_{q.pk}"] = "3"
            data[f"comment_{q.pk}"] = "Good evidence"
        for q in (selection.policy, selection.quality):
            data[f"passed_{q.pk}"] = "pass"
            data[f"comment_{q.pk}"] = "Present"
        incomplete = {k: v for k, v in data.items() if k != f"comment_{selection.delivery.pk}"}
        response = client.post(reverse("frameworks:evaluate", args=[assignment.pk]), incomplete)
        page = response.content.decode()
        assert "Give a score and a comment for every question (1 left)" in page
        # The summary names the question left and links to its field, which is marked in error.
        number = 1 + [q.pk for q in selectors.questions_for(submitted)].index(selection.delivery.pk)
        assert (
            f'<a href="#id_comment_{selection.delivery.pk}">Comment on your score for question {number}, '
            f"‘How will you deliver?’</a>" in page
        )
        assert f'class="govuk-textarea govuk-textarea--error" id="id_comment_{selection.delivery.pk}"' in page
        # What was typed is kept as a draft.
        assert assignment.scores.get(question=selection.outcomes).score == 3
        response = client.post(reverse("frameworks:evaluate", args=[assignment.pk]), data)
        assert response.status_code == 302
        assignment.refresh_from_db()
        assert assignment.submitted_at is not None

    def test_evaluator_home_lists_only_their_assignments(self, client, selection, submitted):
        evaluation.assign_evaluators(target=submitted, evaluators=selection.evaluators, by=selection.officer)
        client.force_login(selection.evaluators[0])
        assert selection.supplier.legal_name in client.get("/evaluator/").content.decode()
        client.force_login(make_user(User.Role.EVALUATOR))
        assert selection.supplier.legal_name not in client.get("/evaluator/").content.decode()


class TestOfficerPages:
    def test_officer_runs_selection_through_the_pages(self, client, selection, submitted):
        client.force_login(selection.officer)
        url = reverse("frameworks:officer_application", args=[submitted.pk])
        response = client.post(url, {"assign": "1", "assign-evaluators": [selection.evaluators[0].pk]})
        assert "Assign at least two evaluators" in response.content.decode()
        response = client.post(url, {"assign": "1", "assign-evaluators": [e.pk for e in selection.evaluators]})
        assert response.status_code == 302
        assert submitted.assignments.count() == 2

    def test_moderation_and_decision_pages(self, client, selection, submitted):
        application = evaluate_fully(selection, submitted)
        client.force_login(selection.officer)
        moderate = reverse("frameworks:moderate", args=[application.pk, selection.delivery.pk])
        response = client.post(moderate, {"score": "2", "reason": ""})
        assert "Give the reason for the agreed score" in response.content.decode()
        assert client.post(moderate, {"score": "4", "reason": "Strong evidence"}).status_code == 302
        choice = application.lot_choices.get(lot=selection.lot1)
        decide = reverse("frameworks:decide", args=[application.pk, choice.pk])
        assert "Select appoint or unsuccessful" in client.post(decide, {"reason": "x"}).content.decode()
        assert client.post(decide, {"outcome": "appointed", "reason": "Scored well"}).status_code == 302
        assert Appointment.objects.filter(lot=selection.lot1, supplier=selection.supplier).exists()
        assert (
            selection.supplier.legal_name
            in client.get(reverse("frameworks:approved_list", args=[selection.framework.pk])).content.decode()
        )

    def test_an_officer_of_another_authority_gets_404(self, client, selection, submitted):
        client.force_login(make_user(User.Role.OFFICER))
        assert client.get(reverse("frameworks:officer_application", args=[submitted.pk])).status_code == 404
        assert client.get(reverse("frameworks:officer_applications", args=[selection.framework.pk])).status_code == 404
        assert client.get(reverse("frameworks:approved_list", args=[selection.framework.pk])).status_code == 404

    @pytest.mark.parametrize("role", ["provider", "evaluator", "partner"])
    def test_other_roles_are_refused(self, client, selection, submitted, role):
        client.force_login(make_user(role))
        for url in [
            reverse("frameworks:officer_frameworks"),
            reverse("frameworks:officer_application", args=[submitted.pk]),
        ]:
            assert client.get(url).status_code == 403

    def test_drafts_are_invisible_to_officers(self, client, selection):
        application = complete_application(selection)
        client.force_login(selection.officer)
        assert client.get(reverse("frameworks:officer_application", args=[application.pk])).status_code == 404

    def test_suspending_needs_a_reason(self, client, selection):
        appointment = make_appointment(selection.lot1, selection.supplier, areas=selection.areas)
        client.force_login(selection.officer)
        url = reverse("frameworks:appointment_status", args=[appointment.pk])
        assert "Give the reason" in client.post(url, {"status": "suspended", "reason": ""}).content.decode()
        assert client.post(url, {"status": "suspended", "reason": "Insurance lapsed"}).status_code == 302
        assert Appointment.objects.get(pk=appointment.pk).status == "suspended"

    def test_the_confirmation_names_the_new_status(self, client, selection):
        """It said "is now active" after a suspension (the view read the status it had before the change)."""
        appointment = make_appointment(selection.lot1, selection.supplier, areas=selection.areas)
        client.force_login(selection.officer)
        url = reverse("frameworks:appointment_status", args=[appointment.pk])
        response = client.post(url, {"status": "suspended", "reason": "Insurance lapsed"}, follow=True)
        assert "is now suspended" in response.content.decode()


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_application_list_and_approved_list_query_counts_do_not_grow(client, selection):
    client.force_login(selection.officer)
    list_url = reverse("frameworks:officer_applications", args=[selection.framework.pk])
    approved_url = reverse("frameworks:approved_list", args=[selection.framework.pk])

    def add_rows(n):
        for _ in range(n):
            user = make_user(User.Role.PROVIDER)
            from suppliers.models import Accreditation

            Accreditation.objects.create(supplier=user.supplier_membership.supplier, scheme="safelives")
            application = complete_application(selection, supplier_user=user)
            services.submit_application(application=application, by=user)
            make_appointment(selection.lot2, user.supplier_membership.supplier, areas=selection.areas)

    add_rows(5)
    small = (_count(client, list_url), _count(client, approved_url))
    add_rows(20)
    large = (_count(client, list_url), _count(client, approved_url))
    print(f"queries with 5 rows: {small}, with 25 rows: {large}")  # noqa: T201
    assert small == large
    assert max(large) <= 12


def test_the_approved_list_is_paginated_and_keeps_its_query_count(client, selection):
    from tests.factories import make_supplier

    for _ in range(55):
        make_appointment(selection.lot1, make_supplier(), areas=selection.areas[:1])
    client.force_login(selection.officer)
    url = reverse("frameworks:approved_list", args=[selection.framework.pk])
    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()
    assert "Page 1 of 2 (55 in all)" in first and "Page 2 of 2 (55 in all)" in second
    assert first.count("Change status<span") == 50 and second.count("Change status<span") == 5
    assert client.get(url + "?page=99").status_code == 200
