"""Grant journeys in a real browser, with axe-core on every page (forms in their error state too): a
provider applies online to an open round (a validation error first), the officer decides it from their work
queue, makes the grant agreement and records a payment as paid; the provider reads the decision."""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commissioning.models import Authority
from contracts.grants import services
from contracts.grants.models import GrantApplication, GrantPayment, GrantRound
from tests.browser.conftest import assert_accessible, assert_page_structure, sign_in

WEST_MIDLANDS = "West Midlands Office of the Police and Crime Commissioner"


@pytest.fixture
def grant_round(demo):
    return services.create_round(
        by=None,
        authority=Authority.objects.get(name=WEST_MIDLANDS),
        reference="WMOPCC-SG-TEST",
        title="Victims' small grants",
        purpose="Small grants for pilots by local specialist services.",
        budget="60000",
        cadence=GrantRound.Cadence.QUARTERLY,
        opens_on=timezone.localdate().replace(day=1),
    )


def check(page):
    assert_page_structure(page)
    assert_accessible(page)


def fill_date(page, prefix: str, day: date) -> None:
    page.locator(f"#id_{prefix}_0").fill(str(day.day))
    page.locator(f"#id_{prefix}_1").fill(str(day.month))
    page.locator(f"#id_{prefix}_2").fill(str(day.year))


def test_a_provider_applies_online_and_the_officer_decides_agrees_and_pays(page, grant_round):
    today = timezone.localdate()

    # The provider finds the round on their home page and applies, getting the amount wrong first.
    sign_in(page, "provider2@demo.test")
    queue = page.locator("#queue-grant-rounds-open")
    expect(queue).to_contain_text("Grant rounds open for applications")
    check(page)
    queue.get_by_role("link", name=grant_round.title).click()
    expect(page.locator("h1")).to_have_text(f"Apply for a grant: {grant_round.title}")
    check(page)
    page.get_by_label("Project title").fill("Court support pilot in Coventry")
    page.get_by_label("Summary of the project").fill("Advocates at the magistrates' court two days a week.")
    page.get_by_label("Amount requested, in pounds").fill("£75,000")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("cannot be more than the round's budget of £60,000.00")
    expect(page.locator("#id_amount_requested-error, .govuk-error-message").first).to_contain_text("budget")
    assert page.title().startswith("Error: ")
    # Nothing typed is lost.
    expect(page.get_by_label("Project title")).to_have_value("Court support pilot in Coventry")
    expect(page.get_by_label("Amount requested, in pounds")).to_have_value("£75,000")
    check(page)
    page.get_by_label("Amount requested, in pounds").fill("7,500")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Check your application before sending it")
    expect(page.locator(".govuk-summary-list")).to_contain_text("£7,500")
    check(page)
    page.get_by_role("button", name="Accept and send").click()
    expect(page.locator("h1")).to_have_text("Application sent")
    application = GrantApplication.objects.get(round=grant_round)
    expect(page.locator(".govuk-panel")).to_contain_text(application.reference)
    check(page)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Grants").click()
    expect(page.locator("h1")).to_have_text("Grants")
    expect(page.locator("#your-applications ~ .app-table-scroll")).to_contain_text("Waiting for a decision")
    check(page)

    # The officer decides it from their work queue.
    page.context.clear_cookies()
    sign_in(page, "officer@demo.test")
    queue = page.locator("#queue-grant-applications-to-decide")
    expect(queue).to_contain_text("Grant applications to decide")
    check(page)
    queue.get_by_role("link", name="Arden Sexual Violence Advocacy CIC: Court support pilot in Coventry").click()
    expect(page.locator("h1")).to_have_text("Decide on Arden Sexual Violence Advocacy CIC's application")
    check(page)
    page.get_by_label("Award a grant").check()
    page.get_by_label("Amount awarded, in pounds (if awarded)").fill("7500")
    page.get_by_label("Reasons for the decision").fill("Fills the gap in court support in Coventry at low cost.")
    fill_date(page, "decided_on", today)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("h1")).to_have_text(grant_round.title)
    expect(page.locator("table")).to_contain_text("Awarded")
    check(page)

    # The agreement, paid quarterly in arrears from last year, so its first payments are overdue.
    page.get_by_role("link", name="Make the agreement").click()
    check(page)
    start = date(today.year - 1, 4, 1)
    page.get_by_label("Agreement reference").fill("WMOPCC-SG-TEST-01")
    fill_date(page, "start_on", start)
    fill_date(page, "end_on", date(today.year + 1, 3, 31))
    page.get_by_label("Conditions of grant").fill("Quarterly returns; spend only on the agreed project.")
    page.get_by_label("Quarterly").check()
    page.get_by_label("In arrears (after each period, once its return is in)").check()
    page.get_by_role("button", name="Make the agreement").click()
    expect(page.locator("h1")).to_have_text("Court support pilot in Coventry")
    schedule = page.get_by_role("region", name="Payment schedule").locator("table")
    expect(schedule).to_contain_text("Overdue")
    check(page)

    # Record the first payment as paid: a date in the future first.
    first = GrantPayment.objects.filter(contract__reference="WMOPCC-SG-TEST-01").order_by("due_on").first()
    schedule.get_by_role("link", name="Record as paid").first.click()
    expect(page.locator("h1")).to_contain_text("was paid")
    check(page)
    fill_date(page, "paid_on", date(today.year + 1, 1, 1))
    page.get_by_role("button", name="Record the payment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("cannot be in the future")
    check(page)
    fill_date(page, "paid_on", first.due_on)
    page.get_by_role("button", name="Record the payment").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("recorded as paid")
    expect(page.get_by_role("region", name="Payment schedule").locator("tbody tr").first).to_contain_text("Paid")
    check(page)
    first.refresh_from_db()
    assert first.paid_on == first.due_on

    # The provider reads the decision and its reasons.
    page.context.clear_cookies()
    sign_in(page, "provider2@demo.test")
    page.goto("/provider/grants/")
    page.get_by_role("link", name="Court support pilot in Coventry").click()
    expect(page.locator("#decision ~ .govuk-summary-list")).to_contain_text("Fills the gap in court support")
    check(page)
