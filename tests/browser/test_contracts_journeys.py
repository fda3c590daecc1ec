"""Contracts register journeys in a real browser, with axe-core on every page (forms in their error
state too): the officer records a variation and exercises an extension, and reads the envelope,
pipeline and Panel report; the provider reads their contract and marks a meeting action done."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commissioning.models import Area, Authority
from contracts.demo import load_contracts
from contracts.models import Contract, MeetingAction
from suppliers.models import Supplier
from tests.browser.conftest import assert_accessible, assert_page_structure, sign_in

BRINDLEY = "WMOPCC-IDVA-BHM-2025"


@pytest.fixture
def contracts_demo(demo):
    ctx = {
        "users": demo,
        "areas": {area.name: area for area in Area.objects.all()},
        "authorities": {a.name: a for a in Authority.objects.all()},
        "suppliers": {s.legal_name: s for s in Supplier.objects.all()},
    }
    load_contracts(ctx)
    return Contract.objects.get(reference=BRINDLEY)


def check(page):
    assert_page_structure(page)
    assert_accessible(page)


def fill_date(page, prefix: str, day: date) -> None:
    page.locator(f"#id_{prefix}_0").fill(str(day.day))
    page.locator(f"#id_{prefix}_1").fill(str(day.month))
    page.locator(f"#id_{prefix}_2").fill(str(day.year))


def test_officer_records_a_variation_and_exercises_an_extension(page, contracts_demo):
    contract = contracts_demo
    today = timezone.localdate()
    sign_in(page, "officer@demo.test")
    page.get_by_role("link", name="Contracts", exact=True).click()
    expect(page.locator("h1")).to_have_text("Contracts register")
    check(page)

    page.locator("#id_status").select_option("live")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("table")).to_contain_text(contract.title)
    check(page)

    page.get_by_role("link", name=contract.title).click()
    expect(page.locator("h1")).to_have_text(contract.title)
    expect(page.locator("#social-value ~ table").first).to_contain_text("Local people employed in the service")
    check(page)

    # Record a variation: first with nothing filled in, then properly.
    page.get_by_role("link", name="Record a variation").click()
    check(page)
    page.get_by_role("button", name="Record the variation").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Select what the variation changes")
    expect(summary).to_contain_text("Enter the reason for the variation")
    assert page.title().startswith("Error: ")
    check(page)

    page.get_by_label("Change to the value of a financial year").check()
    year = contract.financial_years[1]
    page.get_by_label("Financial year", exact=True).select_option(str(year))
    page.get_by_label("New value for that year, in pounds (excluding VAT)").fill("£140,000")
    page.get_by_label("Reason for the variation").fill("More MARAC referrals from the north of the city.")
    page.get_by_label("Who approved it").fill("")
    page.get_by_role("button", name="Record the variation").click()
    expect(summary).to_contain_text("Enter who approved the variation")
    # Nothing typed is lost.
    expect(page.get_by_label("New value for that year, in pounds (excluding VAT)")).to_have_value("£140,000")
    expect(page.get_by_label("Reason for the variation")).to_have_value(
        "More MARAC referrals from the north of the city."
    )
    check(page)

    page.get_by_label("Who approved it").fill("Police and Crime Commissioner")
    fill_date(page, "approved_on", today)
    page.get_by_role("button", name="Record the variation").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Variation recorded")
    expect(page.locator("#variations ~ table").first).to_contain_text("£135,000")
    expect(page.locator("#variations ~ table").first).to_contain_text("£140,000")
    check(page)

    # Exercise the first extension option.
    page.get_by_role("link", name="Exercise extension option 1").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("30 September 2029")
    check(page)
    page.get_by_label("Why is the option being exercised?").fill("")
    page.get_by_role("button", name="Exercise option 1").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the extension is being exercised")
    check(page)
    page.get_by_label("Why is the option being exercised?").fill("Strong performance and value for money.")
    page.get_by_role("button", name="Exercise option 1").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("now ends on 30 September 2029")
    expect(page.locator("#extensions ~ table").first).to_contain_text("Strong performance and value for money.")
    check(page)

    contract.refresh_from_db()
    assert contract.current_end_on == date(2029, 9, 30)
    assert contract.year_values.get(financial_year=year).amount == Decimal("140000.00")


def test_officer_reads_the_envelope_pipeline_and_panel_report(page, contracts_demo):
    # Each authority's officer reads its own figures (issue 20): Avon and Somerset's envelope...
    sign_in(page, "officer@asopcc.demo.test")
    page.goto("/officer/contracts/envelope/?year=2018")
    expect(page.locator("#budget-total")).to_have_text("£1,351,368")
    check(page)
    page.get_by_role("button", name="Sign out").click()
    # ... West Yorkshire's pipeline and Panel report ...
    sign_in(page, "officer@wyopcc.demo.test")
    page.goto("/officer/contracts/pipeline/")
    page.get_by_label("As on").fill("14/9/2018")
    page.get_by_role("button", name="Show the pipeline").click()
    expect(page.locator(".govuk-caption-l")).to_contain_text("As on 14 September 2018")
    expect(page.locator("main")).to_contain_text("Independent Sexual Violence Advisor Service (ISVA)")
    check(page)
    page.get_by_label("As on").fill("14/13/2018")
    page.get_by_role("button", name="Show the pipeline").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a real date as day/month/year")
    expect(page.get_by_label("As on")).to_have_value("14/13/2018")
    check(page)
    page.goto("/officer/contracts/panel-report/?as_of=2018-09-14")
    expect(page.locator("main")).to_contain_text("Core Referral Service")
    check(page)
    page.get_by_role("button", name="Sign out").click()
    # ... and West Midlands' own contract.
    sign_in(page, "officer@demo.test")
    page.goto(f"/officer/contracts/{contracts_demo.pk}/terminate/")
    check(page)
    page.get_by_role("button", name="Record the termination").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the last day of service")
    check(page)
    page.goto(f"/officer/contracts/{contracts_demo.pk}/scope/")
    check(page)


def test_provider_views_a_contract_and_marks_an_action_done(page, contracts_demo):
    contract = contracts_demo
    open_action = MeetingAction.objects.filter(meeting__contract=contract, done_at__isnull=True).first()
    sign_in(page, "provider@demo.test")
    page.get_by_role("link", name="Your contracts").click()
    expect(page.locator("h1")).to_have_text("Your contracts")
    check(page)

    page.get_by_role("link", name=contract.title).click()
    expect(page.locator("h1")).to_have_text(contract.title)
    expect(page.locator("main")).to_contain_text("3 years + 1 year + 1 year")
    expect(page.locator("main")).to_contain_text("Volunteer hours supporting survivors")
    expect(page.get_by_role("link", name="Record a variation")).to_have_count(0)
    check(page)

    row = page.get_by_role("row").filter(has_text=open_action.description)
    row.get_by_role("button", name="Mark as done").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(open_action.description)
    check(page)
    open_action.refresh_from_db()
    assert open_action.done_at is not None

    # Another supplier's contract does not exist for this provider.
    other = Contract.objects.exclude(supplier=contract.supplier).first()
    response = page.goto(f"/provider/contracts/{other.pk}/")
    assert response.status == 404
