"""An officer of Coventry City Council, a partner authority of the West Midlands framework (seed 000),
sets up a mini-competition on the framework shared with Coventry, in a real browser with axe-core on
every page: only the appointees who agreed to share their details are eligible, and the West Midlands
officer does not reach Coventry's competition (issue 20)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commissioning.models import Area, Authority
from contracts.award.models import Competition
from suppliers.models import Supplier
from tests.browser.conftest import assert_accessible, assert_page_structure, sign_in
from tests.factories import make_supplier
from tests.factories.frameworks import make_appointment, make_framework, make_lot


@pytest.fixture
def shared_framework(demo):
    coventry = Authority.objects.get(name="Coventry City Council")
    lead = Authority.objects.get(is_lead_commissioner=True)
    framework = make_framework(
        lead_authority=lead,
        partners=[coventry],
        title="Domestic Abuse and Sexual Assault and Abuse Services Commissioning Framework",
        reference="WMOPCC-DASAA-2025",
    )
    lot = make_lot(framework, number=1, title="Independent Domestic Violence Advocate (IDVA)")
    areas = {a.name: a for a in Area.objects.all()}
    brindley = Supplier.objects.get(legal_name="Brindley Domestic Abuse Support")
    make_appointment(lot, brindley, areas=[areas["Coventry"], areas["Birmingham"]])
    # Appointed before consent was part of applying, and did not agree: keeps its appointment, but a
    # partner authority's call-off leaves it out.
    make_appointment(
        lot,
        make_supplier(legal_name="Quiet Harbour Trust"),
        areas=[areas["Coventry"]],
        consent_share_with_partners=False,
    )
    return framework


def check(page):
    assert_page_structure(page)
    assert_accessible(page)


def fill_date(page, prefix: str, day: date) -> None:
    page.locator(f"#id_{prefix}_0").fill(str(day.day))
    page.locator(f"#id_{prefix}_1").fill(str(day.month))
    page.locator(f"#id_{prefix}_2").fill(str(day.year))


def test_coventrys_officer_calls_off_from_the_shared_framework_among_suppliers_who_consented(page, shared_framework):
    sign_in(page, "officer@coventry.demo.test")
    page.get_by_role("link", name="Competitions", exact=True).click()
    check(page)
    page.get_by_role("link", name="Set up a competition").click()
    check(page)
    page.get_by_label("Mini-competition among appointed providers").check()
    page.get_by_label("Framework lot (for a mini-competition)").select_option(
        label="WMOPCC-DASAA-2025 – Lot 1: Independent Domestic Violence Advocate (IDVA)"
    )
    page.get_by_label("Reference").fill("CCC-IDVA-2026-01")
    page.get_by_label("Title").fill("IDVA service for Coventry")
    page.get_by_label("Coventry").check()
    page.get_by_label("Estimated total value over the initial term, in pounds (excluding VAT)").fill("£90,000")
    today = timezone.localdate()
    fill_date(page, "contract_start_on", date(today.year + 1, 4, 1))
    page.get_by_label("Initial term, in months").fill("24")
    fill_date(page, "clarification_date", today + timedelta(days=10))
    fill_date(page, "closes_date", today + timedelta(days=21))
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Draft competition CCC-IDVA-2026-01 created")
    check(page)
    main = page.locator("main")
    expect(main).to_contain_text("Brindley Domestic Abuse Support")
    expect(main).not_to_contain_text("Quiet Harbour Trust")

    competition = Competition.objects.get(reference="CCC-IDVA-2026-01")
    assert competition.buying_authority.name == "Coventry City Council"
    assert competition.framework_lot.framework == shared_framework

    # The framework's lead authority does not reach Coventry's own competition.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "officer@demo.test")
    response = page.goto(f"/officer/competitions/{competition.pk}/")
    assert response is not None and response.status == 404
    page.goto("/officer/competitions/")
    expect(page.locator("main")).not_to_contain_text("CCC-IDVA-2026-01")
    check(page)
