"""An evaluator declares and scores an application and a competition response on the one scoring page, in a
real browser with axe-core on every state: the applicant's accreditation (with its expiry and evidence)
beside the question that asks for it, the response's documents, and an error that names each question
left and takes the evaluator to it."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from commissioning.models import Area, Authority, User
from contracts.award import services as award_services
from frameworks import evaluation, services
from frameworks.models import SelectionQuestion
from suppliers import services as supplier_services
from suppliers.models import Accreditation
from tests.browser.conftest import assert_accessible, assert_page_structure, sign_in
from tests.factories import make_established
from tests.factories.awards import complete_tender, make_competition, open_competition
from tests.factories.frameworks import make_appointment, make_framework, make_lot, make_question, make_window
from tests.frameworks.conftest import PDF_BYTES

LIMECULTURE = "Hold a current LimeCulture accreditation for your ISVA service."


def check(page):
    assert_page_structure(page)
    assert_accessible(page)


@pytest.fixture
def to_evaluate(demo):
    """An application to a framework of the lead OPCC and an opened response to one of its competitions,
    both assigned to the demo evaluator and an officer."""
    lead = Authority.objects.get(is_lead_commissioner=True)
    officer, evaluator = demo["officer@demo.test"], demo["evaluator@demo.test"]
    provider = demo["provider@demo.test"]
    supplier = provider.supplier_membership.supplier
    framework = make_framework(lead_authority=lead, title="Sexual Violence Services Framework")
    lot = make_lot(framework, number=1, title="Independent Sexual Violence Advisers (ISVA)")
    make_question(framework, section="Service delivery", weight=100, text="How will you deliver the service?")
    make_question(
        framework,
        lot=lot,
        section="Quality standards",
        kind=SelectionQuestion.Kind.PASS_FAIL,
        weight=0,
        required_accreditation="limeculture",
        text=LIMECULTURE,
    )
    Accreditation.objects.filter(supplier=supplier).delete()
    supplier_services.add_accreditation(
        supplier=supplier,
        by=provider,
        evidence=SimpleUploadedFile("limeculture.pdf", PDF_BYTES, content_type="application/pdf"),
        scheme="limeculture",
        reference="LC-0417",
        expires_on=date(2031, 5, 31),
    )
    window = make_window(framework)
    application = services.start_application(window=window, by=provider)
    areas = list(Area.objects.filter(name__in=["Birmingham", "Solihull"]))
    services.save_lots(application=application, by=provider, choices={lot: areas})
    services.save_consortium(application=application, by=provider, is_consortium=False, members=[])
    services.save_consent(application=application, by=provider, share_with_partners=True, publish=True)
    questions = list(SelectionQuestion.objects.filter(framework=framework))
    services.save_answers(application=application, by=provider, texts={q.pk: f"Answer to {q.text}" for q in questions})
    services.submit_application(application=application, by=provider)
    evaluation.assign_evaluators(target=application, evaluators=[evaluator, officer], by=officer)

    second = make_established(User.Role.OFFICER, authority=lead, full_name="Priya Shah")
    for appointee in (supplier, demo["provider2@demo.test"].supplier_membership.supplier):
        make_appointment(lot, appointee, areas=areas)

    competition = make_competition(by=officer, framework_lot=lot, areas=areas, requires_budget_template=True)
    competition = award_services.publish_competition(competition=competition, by=officer)
    tender = complete_tender(competition, provider)
    open_competition(competition, officer, second)
    evaluation.assign_evaluators(target=competition, evaluators=[evaluator, officer], by=officer)
    return {"application": application, "questions": questions, "supplier": supplier, "tender": tender}


def declare_no_conflict(page):
    expect(page.locator("h1")).to_have_text("Declare any conflict of interest")
    check(page)
    page.get_by_label("No").check()
    page.get_by_role("button", name="Save and continue").click()


def test_an_evaluator_scores_an_application_and_a_response_on_the_one_page_beside_the_evidence(page, to_evaluate):
    supplier = to_evaluate["supplier"]
    sign_in(page, "evaluator@demo.test")
    # The home page is the evaluator's to-do list: the new task, not started, is at the top.
    queue = page.locator("#queue-application-tasks")
    expect(queue).to_contain_text("Not started")
    check(page)
    queue.get_by_role("link", name=supplier.legal_name).click()
    expect(page.locator("main")).not_to_contain_text("LC-0417")
    declare_no_conflict(page)

    expect(page.locator("h1")).to_have_text(f"Score {supplier.legal_name}")
    question = page.locator("section", has_text=LIMECULTURE)
    expect(question).to_contain_text("The applicant's LimeCulture Quality Standards accreditation")
    expect(question).to_contain_text("LimeCulture Quality Standards, reference LC-0417, expires 31 May 2031")
    with page.expect_download() as evidence:
        question.get_by_role("link", name="Download the evidence").click()
    assert evidence.value.suggested_filename.endswith(".pdf")
    check(page)

    page.get_by_role("button", name="Submit scores").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Give a score and a comment for every question (2 left)")
    expect(summary).to_contain_text("Give a score for question 2, ‘Hold a current LimeCulture accreditation for your")
    expect(summary).to_contain_text("Comment on your score for question 1, ‘How will you deliver the service?’")
    expect(page.locator(".govuk-form-group--error")).to_have_count(4)
    check(page)
    limeculture = next(q for q in to_evaluate["questions"] if not q.is_scored)
    summary.get_by_role("link", name="Give a score for question 2").click()
    expect(page.locator(f"#id_passed_{limeculture.pk}_1")).to_be_focused()

    for q in to_evaluate["questions"]:
        field = f"score_{q.pk}" if q.is_scored else f"passed_{q.pk}"
        page.locator(f"input[name='{field}'][value='{3 if q.is_scored else 'pass'}']").check()
        page.locator(f"#id_comment_{q.pk}").fill("The evidence supports the answer.")
    page.get_by_role("button", name="Submit scores").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your scores have been submitted")
    expect(page.locator("main")).to_contain_text("Your score: Pass")
    check(page)

    page.goto("/evaluator/award-evaluations/")
    page.get_by_role("link", name=supplier.legal_name).click()
    declare_no_conflict(page)
    expect(page.locator("h1")).to_have_text(f"Score {supplier.legal_name}")
    budget = to_evaluate["tender"].documents.get()
    with page.expect_download() as document:
        page.get_by_role("link", name=budget.name).click()
    assert document.value.suggested_filename == budget.name
    page.get_by_role("button", name="Submit scores").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give a score for question 1, ‘Service delivery’")
    check(page)
    criteria = [c for c in to_evaluate["tender"].competition.criteria.all() if c.is_scored]
    for criterion in criteria:
        page.locator(f"input[name='score_{criterion.pk}'][value='4']").check()
        page.locator(f"#id_comment_{criterion.pk}").fill("Strong, with evidence.")
    page.get_by_role("button", name="Submit scores").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your scores have been submitted")
    check(page)
