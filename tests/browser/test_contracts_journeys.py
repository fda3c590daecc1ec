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
    expect(page.locator("#social-value ~ .app-table-scroll table").first).to_contain_text(
        "Local people employed in the service"
    )
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
    expect(page.locator("#variations ~ .app-table-scroll table").first).to_contain_text("£135,000")
    expect(page.locator("#variations ~ .app-table-scroll table").first).to_contain_text("£140,000")
    check(page)

    # Exercise the first extension option.
    page.get_by_role("link", name="Exercise extension option 1").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("30 September 2029")
    check(page)
    # Each financial year the option reaches is asked, filled in from the last year (issue 20): the call-off
    # ends on 30 September 2028, so the option adds the rest of 2028/29 and half of 2029/30.
    added_value = page.get_by_label("Value for 2028/29, in pounds (excluding VAT)")
    expect(added_value).to_have_value(str(contract.year_values.get(financial_year=2028).amount))
    next_year = page.get_by_label("Value for 2029/30, in pounds (excluding VAT)")
    expect(next_year).to_have_value(str(contract.year_values.get(financial_year=2028).amount))
    page.get_by_label("Why is the option being exercised?").fill("")
    added_value.fill("")
    page.get_by_role("button", name="Exercise option 1").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the extension is being exercised")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the value for 2028/29")
    check(page)
    page.get_by_label("Why is the option being exercised?").fill("Strong performance and value for money.")
    added_value.fill("£138,000")
    next_year.fill("£69,000")
    page.get_by_role("button", name="Exercise option 1").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("now ends on 30 September 2029")
    expect(page.locator("#extensions ~ .app-table-scroll table").first).to_contain_text(
        "Strong performance and value for money."
    )
    expect(page.locator("#value-changes + table")).to_contain_text("2028/29")
    expect(page.locator("#value-changes + table")).to_contain_text("£138,000")
    check(page)

    contract.refresh_from_db()
    assert contract.current_end_on == date(2029, 9, 30)
    assert contract.year_values.get(financial_year=year).amount == Decimal("140000.00")
    assert contract.year_values.get(financial_year=2028).amount == Decimal("138000.00")
    assert contract.year_values.get(financial_year=2029).amount == Decimal("69000.00")


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


def test_officer_manages_funding_and_reads_their_own_envelope(page, contracts_demo):
    """Issue 20: a West Midlands officer's envelope is West Midlands' own, with its years; funding streams
    and allocations are managed on portal pages; a ring-fenced stream spent beyond its allocation is
    flagged; no "−£0" anywhere."""
    sign_in(page, "officer@demo.test")
    page.goto("/officer/contracts/envelope/")
    expect(page.locator(".govuk-caption-l")).to_have_text("West Midlands Office of the Police and Crime Commissioner")
    expect(page.locator("#year")).to_contain_text("2025/26")
    expect(page.locator("#year")).to_contain_text("2027/28")
    expect(page.locator("main")).not_to_contain_text("−£0")
    expect(page.locator("main")).to_contain_text("Independent Domestic Violence Advocate service, Birmingham")
    check(page)

    page.get_by_role("link", name="Manage your authority's funding streams").click()
    expect(page.locator("h1")).to_have_text("Funding streams")
    check(page)
    page.get_by_role("link", name="Add a funding stream").click()
    page.get_by_label("The money is ring-fenced").check()
    page.get_by_role("button", name="Save the funding stream").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the name of the funding stream")
    expect(summary).to_contain_text("Select the type of funding")
    expect(summary).to_contain_text("Enter what the ring-fenced money may be spent on")
    check(page)
    page.get_by_label("Name of the funding stream").fill("Child sexual abuse funding (West Midlands)")
    page.get_by_label("Child sexual abuse funding (ring-fenced)").check()
    page.get_by_label("What the ring-fenced money may be spent on").fill("Support for victims of child sexual abuse")
    page.get_by_role("button", name="Save the funding stream").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Funding stream added")
    page.get_by_role("link", name="Add an allocation to Child sexual abuse funding (West Midlands)").click()
    check(page)
    page.get_by_label("Financial year").select_option("2025")
    page.get_by_label("Amount allocated for the year, in pounds").fill("a lot")
    page.get_by_role("button", name="Save the allocation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter an amount in pounds and pence")
    expect(page.get_by_label("Amount allocated for the year, in pounds")).to_have_value("a lot")
    check(page)
    page.get_by_label("Amount allocated for the year, in pounds").fill("£90,000")
    page.get_by_role("button", name="Save the allocation").click()
    expect(page.locator("#streams")).to_contain_text("£90,000")
    check(page)

    # The ring-fenced IDVA money pays £100,000 of the Birmingham contract; cut its allocation below that.
    page.get_by_role("link", name="£450,000 for 2025/26: change").first.click()
    page.get_by_label("Amount allocated for the year, in pounds").fill("80000")
    page.get_by_role("button", name="Save the allocation").click()
    page.goto("/officer/contracts/envelope/?year=2025")
    expect(page.locator("#ring-fence-warning")).to_contain_text("Ring-fenced ISVA and IDVA funding (West Midlands)")
    expect(page.locator("#ring-fence-warning")).to_contain_text("£20,000")
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
