"""Award-stage journeys in a real browser, with axe-core on every page, forms in their error state too:
an officer sets up and publishes a mini-competition; a provider asks a question, submits, withdraws and
resubmits; two officers open the responses, evaluators mark them, the officer moderates and awards,
and the losing bidder reads their assessment summary; a direct award is approved by a second officer."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commissioning.demo import demo_approval, demo_user, minimal_pdf
from commissioning.models import Area, Authority, GeneratedDocument, User
from contracts.award import services
from contracts.award.demo import SECOND_OFFICER
from contracts.award.models import Competition, DirectAward, Tender
from contracts.award.sealing import sealed_reference
from frameworks import evaluation
from suppliers.models import Supplier
from tests.browser.conftest import assert_accessible, assert_page_structure, sign_in
from tests.factories.awards import close_now, complete_tender, evaluate_all, make_competition, open_competition
from tests.factories.frameworks import make_appointment, make_framework, make_lot


@pytest.fixture
def award_world(demo):
    lead = Authority.objects.get(is_lead_commissioner=True)
    # Approved by a second administrator, as the demo's is: established enough to be the second officer.
    officer2 = demo_user(
        SECOND_OFFICER,
        full_name="Priya Shah",
        role=User.Role.OFFICER,
        authority=lead,
        is_staff=True,
        **demo_approval(demo["admin2@demo.test"]),
    )
    framework = make_framework(
        lead_authority=lead,
        title="Domestic Abuse and Sexual Assault and Abuse Services Commissioning Framework",
        reference="WMOPCC-DASAA-2025",
    )
    lot = make_lot(framework, number=1, title="Independent Domestic Violence Advocate (IDVA)")
    areas = {a.name: a for a in Area.objects.all()}
    brindley = Supplier.objects.get(legal_name="Brindley Domestic Abuse Support")
    arden = Supplier.objects.get(legal_name="Arden Sexual Violence Advocacy CIC")
    make_appointment(lot, brindley, areas=[areas["Birmingham"], areas["Solihull"]])
    make_appointment(lot, arden, areas=[areas["Birmingham"]])
    return {
        "officer": demo["officer@demo.test"],
        "officer2": officer2,
        "evaluator": demo["evaluator@demo.test"],
        "provider": demo["provider@demo.test"],
        "provider2": demo["provider2@demo.test"],
        "framework": framework,
        "lot": lot,
        "areas": areas,
        "brindley": brindley,
        "arden": arden,
    }


def check(page):
    assert_page_structure(page)
    assert_accessible(page)


def fill_date(page, prefix: str, day: date) -> None:
    page.locator(f"#id_{prefix}_0").fill(str(day.day))
    page.locator(f"#id_{prefix}_1").fill(str(day.month))
    page.locator(f"#id_{prefix}_2").fill(str(day.year))


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def published(world, **kwargs) -> Competition:
    competition = make_competition(
        by=world["officer"],
        framework_lot=world["lot"],
        areas=[world["areas"]["Birmingham"]],
        estimated_value="150000",
        title="IDVA service for Birmingham courts",
        **kwargs,
    )
    return services.publish_competition(competition=competition, by=world["officer"])


def test_officer_creates_and_publishes_a_mini_competition(page, award_world):
    sign_in(page, "officer@demo.test")
    page.get_by_role("link", name="Competitions", exact=True).click()
    expect(page.locator("h1")).to_have_text("Competitions and direct awards")
    check(page)
    page.get_by_role("link", name="Set up a competition").click()
    check(page)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the kind of competition")
    assert page.title().startswith("Error: ")
    check(page)

    page.get_by_label("Mini-competition among appointed providers").check()
    page.get_by_label("Framework lot (for a mini-competition)").select_option(
        label="WMOPCC-DASAA-2025 – Lot 1: Independent Domestic Violence Advocate (IDVA)"
    )
    page.get_by_label("Reference").fill("WMOPCC-MC-2026-01")
    page.get_by_label("Title").fill("IDVA service for Birmingham courts")
    page.get_by_label("Birmingham").check()
    page.get_by_label("Estimated total value over the initial term, in pounds (excluding VAT)").fill("£150,000")
    today = timezone.localdate()
    fill_date(page, "contract_start_on", date(today.year + 1, 4, 1))
    page.get_by_label("Initial term, in months").fill("24")
    fill_date(page, "clarification_date", today + timedelta(days=10))
    fill_date(page, "closes_date", today + timedelta(days=21))
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Draft competition WMOPCC-MC-2026-01 created")
    expect(page.locator("main")).to_contain_text("Write the question bidders answer for ‘Service delivery’")
    check(page)

    page.get_by_role("link", name="Award criteria").click()
    check(page)
    page.locator("#id_weight_1").fill("20")
    page.get_by_role("button", name="Save the criteria").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Write the question bidders answer for criterion 1")
    check(page)
    page.locator("#id_question_0").fill("How will you support victims through trials at Birmingham's courts?")
    page.get_by_role("button", name="Save the criteria").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The weights add up to 90%: they must add up to 100%")
    expect(page.locator("#id_question_0")).to_have_value(
        "How will you support victims through trials at Birmingham's courts?"
    )
    check(page)
    page.locator("#id_weight_1").fill("30")
    page.get_by_role("button", name="Save the criteria").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The award criteria have been saved")

    page.get_by_role("link", name="Check and publish").click()
    expect(page.locator("table")).to_contain_text("Brindley Domestic Abuse Support")
    expect(page.locator("table")).to_contain_text("Arden Sexual Violence Advocacy CIC")
    check(page)
    page.get_by_role("button", name="Publish the competition").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("2 suppliers will be invited by email")
    check(page)
    competition = Competition.objects.get(reference="WMOPCC-MC-2026-01")
    assert competition.status == Competition.Status.PUBLISHED
    assert set(competition.invitations.values_list("supplier__legal_name", flat=True)) == {
        "Brindley Domestic Abuse Support",
        "Arden Sexual Violence Advocacy CIC",
    }


def test_provider_asks_a_question_submits_and_resubmits(page, award_world):
    competition = published(award_world)
    competition.lots.update(max_annual_bid=Decimal("90000"))
    sign_in(page, "provider@demo.test")
    page.get_by_role("link", name="Competitions", exact=True).click()
    check(page)
    page.get_by_role("link", name="IDVA service for Birmingham courts").click()
    check(page)
    page.get_by_role("link", name="Ask a clarification question").click()
    page.get_by_role("button", name="Send your question").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your question")
    check(page)
    page.get_by_label("Your question").fill("Will the IDVAs sit with the court's witness service?")
    page.get_by_role("button", name="Send your question").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("published to every bidder")
    sign_out(page)

    sign_in(page, "officer@demo.test")
    page.goto(f"/officer/competitions/{competition.pk}/")
    expect(page.locator("#clarifications ~ .app-table-scroll table")).to_contain_text("Brindley Domestic Abuse Support")
    check(page)
    page.get_by_role("link", name="Answer question 1").click()
    page.get_by_role("button", name="Publish the answer").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the answer")
    check(page)
    page.get_by_label("The question as it will be published").fill("Will the IDVAs sit with the witness service?")
    page.get_by_label("Your answer").fill("Yes, two days a week.")
    page.get_by_role("button", name="Publish the answer").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("published to every bidder")
    sign_out(page)

    sign_in(page, "provider@demo.test")
    page.goto(f"/provider/competitions/{competition.pk}/")
    expect(page.locator("#clarifications ~ div").first).to_contain_text("Yes, two days a week.")
    expect(page.locator("main")).not_to_contain_text("court's witness service")  # the reworded question only

    page.get_by_role("button", name="Respond to Lot 1").click()
    expect(page.locator("h1")).to_contain_text("Your response to Lot 1")
    check(page)
    page.get_by_label("Your annual price (bid value), in pounds excluding VAT").fill("95000")
    page.get_by_label("How will you deliver the service?").fill("Two court IDVAs with a duty rota.")
    page.get_by_role("button", name="Save and check your response").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("the maximum annual bid is £90,000")
    expect(page.get_by_label("How will you deliver the service?")).to_have_value("Two court IDVAs with a duty rota.")
    check(page)
    page.get_by_label("Your annual price (bid value), in pounds excluding VAT").fill("72000")
    page.get_by_label("How will you measure outcomes?").fill("At intake, three months and closure.")
    page.get_by_role("group", name="Are you bidding as the lead of a consortium?").get_by_label("No").check()
    page.get_by_label("Your Social Value Proposal").fill("Local recruitment and employer awareness sessions.")
    page.locator("#id_commitment_0_theme").select_option("jobs")
    page.locator("#id_commitment_0_measure").fill("Birmingham residents employed")
    page.locator("#id_commitment_0_unit").fill("people")
    page.locator("#id_commitment_0_target").fill("2")
    fill_date(page, "commitment_0_due_on", date(timezone.localdate().year + 2, 3, 31))
    page.locator("#id_supporting").set_input_files(
        files=[{"name": "delivery-plan.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf("plan")}]
    )
    page.get_by_role("button", name="Save and check your response").click()
    expect(page.locator("h1")).to_have_text("Check and submit your response")
    check(page)
    page.get_by_role("button", name="Submit your response").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Response submitted")
    expect(page.locator("main")).to_contain_text("delivery-plan.pdf")
    check(page)

    page.get_by_role("link", name="See your response").click()
    check(page)
    page.get_by_role("link", name="Withdraw to change it").click()
    check(page)
    page.get_by_role("button", name="Withdraw your response").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("withdrawn")
    check(page)
    page.get_by_label("Your annual price (bid value), in pounds excluding VAT").fill("70000")
    page.get_by_role("button", name="Save and check your response").click()
    page.get_by_role("button", name="Submit your response").click()
    expect(page.locator(".govuk-panel__body")).to_contain_text("-v2")
    tender = Tender.objects.get(competition=competition, supplier=award_world["brindley"])
    assert tender.status == Tender.Status.SUBMITTED and tender.annual_price == Decimal("70000.00")
    assert list(tender.versions.values_list("number", flat=True)) == [1, 2]


def test_two_officers_open_evaluators_score_and_the_officer_awards(page, award_world):
    w = award_world
    competition = published(w)
    brindley_response = complete_tender(competition, w["provider"], price="80000")
    complete_tender(competition, w["provider2"], price="72000")
    close_now(competition)
    sealed_row = f"Sealed response {sealed_reference(brindley_response)}"

    sign_in(page, "officer@demo.test")
    page.goto(f"/officer/competitions/{competition.pk}/")
    expect(page.locator("main")).to_contain_text("Closed: waiting to be opened")
    check(page)
    page.get_by_role("link", name="Open the responses").click()
    expect(page.locator("main")).to_contain_text("Responses received: 2")
    check(page)
    # Before the opening the audit trail names sealed references, not the bidders (issue 16).
    page.goto("/admin/commissioning/auditevent/?action__exact=tender.submitted")
    row = page.locator("#result_list tbody tr", has_text=sealed_row)
    expect(row).to_contain_text("A bidder (sealed until the opening)")
    expect(row).not_to_contain_text("Brindley")
    expect(row).not_to_contain_text("provider@demo.test")
    page.goto(f"/officer/competitions/{competition.pk}/open/")
    page.get_by_role("button", name="Ask to open the responses").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("A second officer must now confirm it")
    page.get_by_role("link", name="Confirm the opening").click()
    page.get_by_role("button", name="Confirm the opening").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("a second, different officer must confirm")
    check(page)
    sign_out(page)

    sign_in(page, SECOND_OFFICER)
    page.goto(f"/officer/competitions/{competition.pk}/open/")
    page.get_by_role("button", name="Confirm the opening").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The responses are open")
    check(page)
    # After it, the same events show who it was.
    page.goto("/admin/commissioning/auditevent/?action__exact=tender.submitted")
    row = page.locator("#result_list tbody tr", has_text=sealed_row)
    expect(row).to_contain_text("from Brindley Domestic Abuse Support")
    expect(row).to_contain_text("provider@demo.test")
    page.goto(f"/officer/competitions/{competition.pk}/")
    page.get_by_role("link", name="Assign evaluators").click()
    page.get_by_label("Daniel Hughes").check()
    page.get_by_role("button", name="Assign evaluators").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Assign at least two evaluators")
    check(page)
    page.get_by_label("Daniel Hughes").check()
    page.get_by_label("Priya Shah").check()
    page.get_by_role("button", name="Assign evaluators").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("evaluators have been assigned")
    sign_out(page)

    sign_in(page, "evaluator@demo.test")
    page.get_by_role("link", name="Award evaluations", exact=True).first.click()
    check(page)
    criteria = [c for c in competition.criteria.all() if c.is_scored]
    for bidder in ("Brindley Domestic Abuse Support", "Arden Sexual Violence Advocacy CIC"):
        page.get_by_role("link", name=bidder).click()
        expect(page.locator("main")).not_to_contain_text("Our answer")
        page.get_by_role("button", name="Save and continue").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Select yes if you have a conflict of interest")
        check(page)
        page.get_by_label("No").check()
        page.get_by_role("button", name="Save and continue").click()
        expect(page.locator("main")).to_contain_text("Our answer")
        check(page)
        page.get_by_role("button", name="Submit scores").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("Give a score and a comment for every question")
        check(page)
        for criterion in criteria:
            value = "4" if bidder.startswith("Brindley") else "3"
            page.locator(f"input[name='score_{criterion.pk}'][value='{value}']").check()
            page.locator(f"#id_comment_{criterion.pk}").fill("Clear evidence in the answer.")
        page.get_by_role("button", name="Submit scores").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("submitted")
        page.get_by_role("link", name="Award evaluations", exact=True).first.click()
    sign_out(page)

    officer2 = w["officer2"]
    for tender in competition.tenders.all():
        assignment = tender.assignments.get(evaluator=officer2)
        evaluation.declare_conflict(assignment=assignment, has_conflict=False, details="", by=officer2)
        evaluation.save_scores(
            assignment=assignment,
            scores={c.pk: {"score": 3, "comment": "Agree"} for c in criteria},
            submit=True,
            by=officer2,
        )

    sign_in(page, "officer@demo.test")
    brindley_tender = competition.tenders.get(supplier=w["brindley"])
    page.goto(f"/officer/competitions/{competition.pk}/")
    page.get_by_role("link", name="Brindley Domestic Abuse Support").click()
    expect(page.locator("main")).to_contain_text("£80,000")
    check(page)
    page.get_by_role("link", name="Moderate Service delivery").click()
    page.get_by_role("button", name="Record agreed score").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the agreed score")
    check(page)
    page.locator("input[name='score'][value='4']").check()
    page.get_by_label("Reason for the agreed score").fill("The panel agreed the higher score: strong court experience.")
    page.get_by_role("button", name="Record agreed score").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("agreed score has been recorded")
    for tender in competition.tenders.all():
        for criterion in criteria:
            if tender.pk == brindley_tender.pk and criterion.title == "Service delivery":
                continue
            evaluation.moderate(
                subject=tender,
                criterion=criterion,
                score=4 if tender.pk == brindley_tender.pk else 3,
                reason="Agreed by the panel.",
                by=w["officer"],
            )
    page.goto(f"/officer/competitions/{competition.pk}/")
    expect(page.locator("main")).to_contain_text("Evaluated")
    check(page)
    page.get_by_role("link", name=re.compile(r"^Award Lot 1")).click()
    check(page)
    page.get_by_role("button", name="Record the award").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reasons for the award")
    check(page)
    page.get_by_label("Reasons for the award").fill("Highest total: strongest court-based delivery model.")
    page.get_by_label("Skip the standstill period (light-touch awards only): reason").fill(
        "Light-touch call-off; both bidders have confirmed they will not challenge."
    )
    page.get_by_role("button", name="Record the award").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("assessment summary")
    expect(page.locator("main")).to_contain_text("Awarded to Brindley Domestic Abuse Support")
    check(page)
    page.get_by_role("link", name="Create the contract").click()
    check(page)
    page.get_by_label("Contract reference").fill("")
    page.get_by_role("button", name="Create the contract").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the contract reference")
    check(page)
    page.get_by_label("Contract reference").fill("WMOPCC-MC-COURTS-C")
    with page.expect_navigation():
        page.get_by_role("button", name="Create the contract").click()
    # A refusal would keep the form: its error summary names the reason in the failure message.
    refusal = page.locator(".govuk-error-summary")
    assert refusal.count() == 0, refusal.inner_text()
    expect(page.locator("h1")).to_have_text("IDVA service for Birmingham courts")
    assert Competition.objects.get(pk=competition.pk).status == Competition.Status.CONTRACTED
    assert GeneratedDocument.objects.filter(kind="assessment-summary", status="ready").count() == 2
    sign_out(page)

    sign_in(page, "provider2@demo.test")
    page.goto(f"/provider/responses/{competition.tenders.get(supplier=w['arden']).pk}/")
    expect(page.locator("main")).to_contain_text("Your response was not successful")
    check(page)
    page.get_by_role("link", name="Your assessment summary (PDF)").click()
    expect(page.locator("main")).to_contain_text("Assessment summary")
    check(page)


def test_the_officer_records_a_lot_as_not_awarded_and_a_bidder_reads_why(page, award_world):
    w = award_world
    competition = published(w)
    complete_tender(competition, w["provider"], price="80000")
    arden = complete_tender(competition, w["provider2"], price="72000")
    open_competition(competition, w["officer"], w["officer2"])
    evaluate_all(competition, w["officer"], [w["evaluator"], w["officer2"]])

    sign_in(page, "officer@demo.test")
    page.goto(f"/officer/competitions/{competition.pk}/")
    page.get_by_role("link", name="Do not award Lot 1").click()
    check(page)
    page.get_by_role("button", name="Record that the lot is not awarded").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reasons for not awarding the lot")
    check(page)
    page.get_by_label("Why will Lot 1").fill("Neither response reached the quality threshold of 60 points.")
    page.get_by_role("button", name="Record that the lot is not awarded").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("will not be awarded")
    expect(page.locator("main")).to_contain_text("Not awarded: recorded by")
    check(page)
    assert Competition.objects.get(pk=competition.pk).status == Competition.Status.CANCELLED
    sign_out(page)

    sign_in(page, "provider2@demo.test")
    page.goto(f"/provider/responses/{arden.pk}/")
    expect(page.locator("main")).to_contain_text("will not be awarded, so your response was not successful")
    expect(page.locator("main")).to_contain_text("quality threshold of 60 points")
    check(page)


def test_a_direct_award_is_approved_by_a_second_officer(page, award_world):
    w = award_world
    sign_in(page, "officer@demo.test")
    page.goto("/officer/competitions/")
    page.get_by_role("link", name="Record a direct award").click()
    check(page)
    page.get_by_role("button", name="Send for approval").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the justification for a direct award")
    check(page)
    page.get_by_label("Reference", exact=True).fill("WMOPCC-DA-2026-01")
    page.get_by_label("Service", exact=True).fill("Court IDVA cover while the service is recommissioned")
    page.get_by_label("Framework lot (for a call-off from a framework)").select_option(
        label="WMOPCC-DASAA-2025 – Lot 1: Independent Domestic Violence Advocate (IDVA)"
    )
    page.get_by_label("Supplier", exact=True).select_option(label="Arden Sexual Violence Advocacy CIC")
    page.get_by_label("Birmingham").check()
    page.get_by_label("Annual value, in pounds (excluding VAT)").fill("60000")
    fill_date(page, "contract_start_on", date(timezone.localdate().year + 1, 4, 1))
    page.get_by_label("Initial term, in months").fill("24")
    page.get_by_label("Section 45(4)", exact=False).check()
    page.get_by_label("Why the justification applies").fill("The only appointee for the courts' area on core terms.")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("record the supplier's Social Value Proposal")
    check(page)
    page.get_by_label("The supplier's Social Value Proposal").fill("Volunteer recruitment in Birmingham.")
    page.locator("#id_commitment_0_theme").select_option("jobs")
    page.locator("#id_commitment_0_measure").fill("Volunteers recruited")
    page.locator("#id_commitment_0_unit").fill("people")
    page.locator("#id_commitment_0_target").fill("5")
    fill_date(page, "commitment_0_due_on", date(timezone.localdate().year + 2, 3, 31))
    page.get_by_role("button", name="Send for approval").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("A second officer must approve it")
    expect(page.get_by_role("link", name="Approve or reject")).to_have_count(0)
    check(page)
    direct_award = DirectAward.objects.get(reference="WMOPCC-DA-2026-01")
    page.get_by_role("link", name="Assign evaluators").click()
    check(page)
    page.get_by_label("Daniel Hughes").check()
    page.get_by_label("Priya Shah").check()
    page.get_by_role("button", name="Assign evaluators").click()
    criterion = direct_award.criteria.get()
    for assignment in direct_award.assignments.all():
        evaluation.declare_conflict(assignment=assignment, has_conflict=False, details="", by=assignment.evaluator)
        evaluation.save_scores(
            assignment=assignment,
            scores={criterion.pk: {"score": 3, "comment": "Measurable."}},
            submit=True,
            by=assignment.evaluator,
        )
    page.get_by_role("link", name="Moderate the Social Value Proposal").click()
    check(page)
    page.locator("input[name='score'][value='3']").check()
    page.get_by_label("Reason for the agreed score").fill("Both evaluators marked 3.")
    page.get_by_role("button", name="Record agreed score").click()
    expect(page.locator("main")).to_contain_text("Agreed score: 3 of 4")
    sign_out(page)

    sign_in(page, SECOND_OFFICER)
    page.goto(f"/officer/direct-awards/{direct_award.pk}/")
    check(page)
    page.get_by_role("link", name="Approve or reject").click()
    check(page)
    page.get_by_label("Reject it").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason for rejecting the direct award")
    check(page)
    page.get_by_label("Approve the direct award and create the contract").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("its contract has been created")
    check(page)
    page.get_by_role("link", name="Open contract WMOPCC-DA-2026-01").click()
    expect(page.locator("h1")).to_contain_text("Court IDVA cover")
    direct_award.refresh_from_db()
    assert direct_award.status == DirectAward.Status.APPROVED and direct_award.decided_by == w["officer2"]
    assert direct_award.contract.social_value_proposal.is_accepted
