"""Issue 3 journeys in a real browser, with axe-core on every page, forms included in their error state:
a provider registers and applies for two lots as a consortium lead; another is refused after the
deadline; an evaluator declares no conflict and scores; the officer moderates and appoints."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from commissioning.demo import minimal_pdf
from commissioning.models import Authority, User
from frameworks import evaluation, services
from frameworks.models import Application, Appointment, SelectionQuestion
from suppliers.models import Accreditation
from tests.browser.conftest import assert_accessible, assert_page_structure, sign_in
from tests.factories.frameworks import make_framework, make_lot, make_question, make_window

PDF = minimal_pdf("journey")


@pytest.fixture
def framework_setup(demo):
    lead = Authority.objects.get(is_lead_commissioner=True)
    framework = make_framework(
        lead_authority=lead,
        title="Domestic Abuse and Sexual Assault and Abuse Services Commissioning Framework",
        reference="WMOPCC-DASAA-2025",
        partners=[Authority.objects.get(name="Coventry City Council")],
    )
    lot1 = make_lot(framework, number=1, title="Independent Domestic Violence Advocate (IDVA)", minimum_score="60")
    lot2 = make_lot(framework, number=2, title="DA cope and recover services", minimum_score="60")
    make_question(
        framework,
        section="Safeguarding",
        kind="pass_fail",
        weight=0,
        requires_upload=True,
        text="Upload your safeguarding policy.",
    )
    make_question(framework, section="Service delivery", weight=100, text="How will you deliver the service?")
    make_question(
        framework,
        lot=lot1,
        section="Quality standards",
        kind="pass_fail",
        weight=0,
        required_accreditation="safelives",
        text="Confirm your SafeLives Leading Lights accreditation.",
    )
    window = make_window(framework, title="Annual reopening")
    return framework, window, lot1, lot2


def check(page):
    assert_page_structure(page)
    assert_accessible(page)


def test_provider_registers_and_applies_for_two_lots_as_a_consortium_lead(page, framework_setup):
    framework, window, lot1, lot2 = framework_setup
    page.goto("/register/")
    page.get_by_role("button", name="Register").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the legal name of the organisation")
    check(page)
    page.locator("#id_legal_name").fill("Oldbury Outreach Trust")
    page.locator("#id_kind").select_option("charity")
    page.locator("#id_address_line_1").fill("2 Church Street")
    page.locator("#id_town").fill("Oldbury")
    page.locator("#id_postcode").fill("B69 3AF")
    page.locator("#id_contact_name").fill("Rachel Adeyemi")
    page.locator("#id_contact_email").fill("rachel@oldbury-outreach.example")
    page.locator("#id_is_vcse").check()
    page.locator("#id_full_name").fill("Rachel Adeyemi")
    page.locator("#id_email").fill("rachel@oldbury-outreach.example")
    page.locator("#id_password1").fill("a long enough passphrase")
    page.locator("#id_password2").fill("a long enough passphrase")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#id_charity_number-error, .govuk-error-message").first).to_contain_text("charity number")
    expect(page.locator("#id_legal_name")).to_have_value("Oldbury Outreach Trust")
    check(page)
    page.locator("#id_charity_number").fill("1199001")
    page.locator("#id_password1").fill("a long enough passphrase")
    page.locator("#id_password2").fill("a long enough passphrase")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    check(page)
    # The email says what happened: for a new address, a link to confirm it and finish registering.
    link = re.search(r"/register/confirm/[^\s]+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Finish registering Oldbury Outreach Trust")
    check(page)
    page.get_by_role("button", name="Finish registering").click()
    expect(page.locator("h1")).to_have_text("Oldbury Outreach Trust")
    check(page)

    # Details entered once: the accreditation lives on the profile and every application uses it.
    page.get_by_role("link", name="Your organisation").first.click()
    check(page)
    page.get_by_role("link", name="Add an accreditation").click()
    page.get_by_role("button", name="Add accreditation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the accreditation or quality standard")
    check(page)
    page.locator("#id_scheme").select_option("safelives")
    page.locator("#id_reference").fill("SL-2044")
    page.locator("#id_expires_on_0").fill("31")
    page.locator("#id_expires_on_1").fill("3")
    page.locator("#id_expires_on_2").fill("2028")
    page.get_by_role("button", name="Add accreditation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("accreditation has been added")

    page.get_by_role("link", name="Apply", exact=True).click()
    check(page)
    page.get_by_role("button", name="Start an application").click()
    expect(page.locator("h1")).to_contain_text("Your application to")
    check(page)

    page.get_by_role("link", name="Lots and areas").click()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select at least one lot")
    check(page)
    page.locator("#id_lot_1").check()
    page.locator("#id_lot_2").check()
    for lot in (1, 2):
        page.locator(f"input[name='areas_{lot}']").first.check()
        page.locator(f"input[name='areas_{lot}']").nth(2).check()
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("link", name="Consortium").click()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select yes if you are applying as a consortium lead")
    check(page)
    page.get_by_label("Yes").check()
    page.locator("#id_members-0-name").fill("Rowley Regis Counselling CIC")
    page.locator("#id_members-0-registration_number").fill("12776310")
    page.locator("#id_members-0-role").fill("Counselling in Sandwell")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("link", name="Sharing your details").click()
    expect(page.locator("main")).to_contain_text("Coventry City Council")
    check(page)
    expect(page.locator("main")).to_contain_text("By applying you are also agreeing to have your details shared")
    page.get_by_role("group", name="Do you agree to your organisation").get_by_label("No").check()
    page.get_by_role("button", name="Save and continue").click()
    # Not optional (seed 000): without agreeing, the section is refused with the reason, and what was chosen stays
    expect(page.locator(".govuk-error-summary")).to_contain_text("Agree to share your organisation's details")
    check(page)
    page.get_by_label("I agree to share my organisation's details").check()
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("link", name="Safeguarding").click()
    check(page)
    page.get_by_role("textbox", name="Upload your safeguarding policy.").fill("Reviewed by our board in March.")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "safeguarding.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Service delivery").click()
    page.get_by_label("How will you deliver the service?").fill("Trauma-informed advocacy from three hubs.")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Quality standards").click()
    page.get_by_label("Confirm your SafeLives").fill("Leading Lights since 2021, reference SL-2044.")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-task-list__status .govuk-tag--grey")).to_have_count(0)
    check(page)

    page.get_by_role("link", name="Check your answers and submit").click()
    check(page)
    page.get_by_role("button", name="Submit application").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Application submitted")
    expect(page.locator("main")).to_contain_text("safeguarding.pdf")
    check(page)
    application = Application.objects.get(supplier__legal_name="Oldbury Outreach Trust")
    assert application.status == Application.Status.SUBMITTED and application.is_consortium
    assert application.lot_choices.count() == 2


def test_a_provider_is_refused_after_the_deadline_and_keeps_the_draft(page, framework_setup):
    framework, window, lot1, lot2 = framework_setup
    provider = User.objects.get(email="provider2@demo.test")
    supplier = provider.supplier_membership.supplier
    Accreditation.objects.create(supplier=supplier, scheme="safelives")
    application = services.start_application(window=window, by=provider)
    from commissioning.models import Area
    from tests.frameworks.conftest import pdf_upload

    services.save_lots(application=application, by=provider, choices={lot2: list(Area.objects.all()[:2])})
    services.save_consortium(application=application, by=provider, is_consortium=False, members=[])
    services.save_consent(application=application, by=provider, share_with_partners=True, publish=True)
    questions = SelectionQuestion.objects.filter(framework=framework, lot__isnull=True)
    services.save_answers(
        application=application,
        by=provider,
        texts={q.pk: "Answer" for q in questions},
        uploads={questions.get(requires_upload=True).pk: pdf_upload()},
    )
    sign_in(page, "provider2@demo.test")
    page.goto(f"/provider/applications/{application.pk}/check/")
    window.closes_at = timezone.now() - timedelta(seconds=1)
    window.save()
    page.get_by_role("button", name="Submit application").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The application window closed at")
    assert page.title().startswith("Error: ")
    check(page)
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert application.answers.count() == questions.count()


def test_evaluator_scores_then_officer_moderates_and_appoints(page, framework_setup):
    framework, window, lot1, lot2 = framework_setup
    from commissioning.models import Area
    from tests.frameworks.conftest import pdf_upload

    provider = User.objects.get(email="provider@demo.test")
    supplier = provider.supplier_membership.supplier
    Accreditation.objects.create(supplier=supplier, scheme="safelives")
    application = services.start_application(window=window, by=provider)
    services.save_lots(
        application=application,
        by=provider,
        choices={lot1: list(Area.objects.filter(name__in=["Birmingham", "Solihull"]))},
    )
    services.save_consortium(application=application, by=provider, is_consortium=False, members=[])
    services.save_consent(application=application, by=provider, share_with_partners=True, publish=True)
    questions = list(SelectionQuestion.objects.filter(framework=framework))
    services.save_answers(
        application=application,
        by=provider,
        texts={q.pk: f"Answer to {q.text}" for q in questions},
        uploads={q.pk: pdf_upload() for q in questions if q.requires_upload},
    )
    services.submit_application(application=application, by=provider)
    officer = User.objects.get(email="officer@demo.test")

    sign_in(page, "officer@demo.test")
    page.goto(f"/officer/applications/{application.pk}/")
    check(page)
    page.get_by_label("Daniel Hughes").check()
    page.get_by_role("button", name="Assign evaluators").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Assign at least two evaluators")
    check(page)
    page.get_by_label("Daniel Hughes").check()
    page.get_by_label("Amara Okafor").check()
    page.get_by_role("button", name="Assign evaluators").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("evaluators have been assigned")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "evaluator@demo.test")
    check(page)
    page.locator("#queue-application-tasks").get_by_role("link", name=supplier.legal_name).click()
    expect(page.locator("main")).not_to_contain_text("Answer to")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select yes if you have a conflict of interest")
    check(page)
    page.get_by_label("No").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("main")).to_contain_text("Answer to")
    check(page)
    page.get_by_role("button", name="Submit scores").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give a score and a comment for every question")
    check(page)
    for q in questions:
        if q.is_scored:
            page.locator(f"input[name='score_{q.pk}'][value='3']").check()
        else:
            page.locator(f"input[name='passed_{q.pk}'][value='pass']").check()
        page.locator(f"#id_comment_{q.pk}").fill("Clear evidence in the answer.")
    page.get_by_role("button", name="Submit scores").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("submitted")
    page.get_by_role("button", name="Sign out").click()

    officer_assignment = application.assignments.get(evaluator=officer)
    evaluation.declare_conflict(assignment=officer_assignment, has_conflict=False, details="", by=officer)
    evaluation.save_scores(
        assignment=officer_assignment,
        by=officer,
        submit=True,
        scores={q.pk: ({"score": 4} if q.is_scored else {"passed": True}) | {"comment": "Agree"} for q in questions},
    )

    sign_in(page, "officer@demo.test")
    for q in questions:
        page.goto(f"/officer/applications/{application.pk}/moderate/{q.pk}/")
        if q.is_scored:
            page.get_by_role("button", name="Record agreed score").click()
            expect(page.locator(".govuk-error-summary")).to_contain_text("Select the agreed score")
            check(page)
            page.locator("input[name='score'][value='3']").check()
        else:
            page.get_by_label("Pass", exact=True).check()
        page.get_by_label("Reason for the agreed score").fill("The panel agreed on the evidence.")
        page.get_by_role("button", name="Record agreed score").click()
    expect(page.locator("main")).to_contain_text("75.00%")
    page.get_by_role("link", name="Decide").click()
    check(page)
    page.get_by_label("Appoint to the approved list").check()
    page.get_by_label("Reason").fill("Scored 75% against a pass mark of 60% and passed every pass/fail question.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("decision")
    page.goto(f"/officer/frameworks/{framework.pk}/approved-list/")
    expect(page.locator("table")).to_contain_text(supplier.legal_name)
    check(page)
    assert Appointment.objects.get(supplier=supplier, lot=lot1).status == "active"
