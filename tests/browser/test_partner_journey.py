"""A partner commissioner at Coventry City Council reads the shared approved list in a real browser:
filters it, downloads it, opens the coverage matrix and a cell. Every page passes axe-core's WCAG
2.2 A and AA rules. The public opportunities page is checked too."""

from __future__ import annotations

import csv
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commissioning.models import Area, Authority
from suppliers.models import Accreditation, AccreditationScheme, Supplier
from tests.browser.conftest import assert_accessible, assert_page_structure, sign_in
from tests.factories import make_supplier
from tests.factories.frameworks import make_appointment, make_framework, make_lot, make_window


@pytest.fixture
def shared_framework(demo):
    coventry = Authority.objects.get(name="Coventry City Council")
    lead = Authority.objects.get(is_lead_commissioner=True)
    framework = make_framework(
        title="Victim Services Approved Provider Framework",
        reference="WM-VS-2026",
        lead_authority=lead,
        partners=[coventry],
    )
    lot1 = make_lot(framework, title="Domestic abuse community support")
    lot2 = make_lot(framework, title="Sexual violence advocacy")
    areas = {area.name: area for area in Area.objects.all()}
    brindley = Supplier.objects.get(legal_name="Brindley Domestic Abuse Support")
    arden = Supplier.objects.get(legal_name="Arden Sexual Violence Advocacy CIC")
    Accreditation.objects.create(
        supplier=brindley,
        scheme=AccreditationScheme.WOMENS_AID,
        expires_on=timezone.localdate() + timedelta(days=200),
    )
    Accreditation.objects.create(
        supplier=arden,
        scheme=AccreditationScheme.RAPE_CRISIS,
        expires_on=timezone.localdate() - timedelta(days=20),
    )
    make_appointment(lot1, brindley, areas=[areas["Birmingham"], areas["Coventry"]], starts_on=date(2025, 7, 1))
    make_appointment(lot2, arden, areas=[areas["Coventry"]], starts_on=date(2025, 9, 1))
    make_appointment(lot2, brindley, areas=[areas["Solihull"]], starts_on=date(2025, 8, 1))
    make_appointment(
        lot1,
        make_supplier(legal_name="Quiet Harbour Trust"),
        areas=[areas["Coventry"]],
        consent_share_with_partners=False,
        consent_publish=False,
    )
    make_window(framework, title="Reopening 2026")
    return framework


def test_partner_filters_exports_and_reads_coverage(page, shared_framework, tmp_path):
    sign_in(page, "partner@demo.test")
    expect(page.locator("h1")).to_have_text("Partner commissioner home")
    expect(
        page.get_by_role("link", name=re.compile("Victim Services Approved Provider Framework.*approved supplier list"))
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Shared frameworks").click()
    expect(page.locator("h1")).to_have_text("Frameworks shared with you")
    assert_page_structure(page)
    assert_accessible(page)

    page.get_by_role(
        "link", name=re.compile("Victim Services Approved Provider Framework.*approved supplier list")
    ).click()
    expect(page.locator("h1")).to_have_text("Approved suppliers")
    assert_page_structure(page)
    table = page.locator("#approved-list")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table).not_to_contain_text("Quiet Harbour Trust")
    expect(table).to_contain_text("Expired")
    assert_accessible(page)

    page.get_by_label("Area covered").select_option(label="Coventry")
    page.get_by_label("Sort by").select_option(label="Newest appointment")
    page.get_by_role("button", name="Apply filters").click()
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").first).to_contain_text("Arden Sexual Violence Advocacy CIC")
    expect(page.get_by_label("Area covered")).to_have_value("coventry")
    assert "area=coventry" in page.url
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Download as CSV")).click()
    download = download_info.value
    assert download.suggested_filename == "approved-suppliers-wm-vs-2026.csv"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    rows = list(csv.DictReader(target.read_text(encoding="utf-8-sig").splitlines()))
    assert [(row["Supplier"], row["Lot"]) for row in rows] == [
        ("Arden Sexual Violence Advocacy CIC", "Lot 2: Sexual violence advocacy"),
        ("Brindley Domestic Abuse Support", "Lot 1: Domestic abuse community support"),
    ]
    assert all("Quiet Harbour" not in row["Supplier"] for row in rows)

    page.get_by_role("link", name="See which lots and areas are covered").click()
    expect(page.locator("h1")).to_have_text("Coverage by lot and area")
    assert_page_structure(page)
    expect(page.locator("#coverage-matrix")).to_contain_text("No provider")
    assert_accessible(page)

    page.get_by_role("link", name="Lot 1, Coventry: 1 provider").click()
    expect(page.locator("h1")).to_have_text("Lot 1 in Coventry")
    assert_page_structure(page)
    expect(page.locator("main")).to_contain_text("Brindley Domestic Abuse Support")
    expect(page.locator("main")).not_to_contain_text("Quiet Harbour Trust")
    expect(page.locator("main")).to_contain_text("One provider")
    assert_accessible(page)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Coverage").click()
    expect(page.locator("h1")).to_have_text("Coverage by lot and area")
    assert_page_structure(page)
    assert_accessible(page)


def test_public_opportunities_and_framework_pages_are_accessible(page, shared_framework):
    page.goto("/opportunities/")
    expect(page.locator("h1")).to_have_text("Open opportunities")
    expect(page.locator("main")).to_contain_text("Victim Services Approved Provider Framework")
    expect(page.locator("#competitions-empty")).to_contain_text("There are no competitions open")
    assert_page_structure(page)
    assert_accessible(page)

    page.get_by_role("link", name="Victim Services Approved Provider Framework").click()
    expect(page.locator("h1")).to_have_text("Victim Services Approved Provider Framework")
    expect(page.locator("main")).to_contain_text("Brindley Domestic Abuse Support")
    expect(page.locator("main")).not_to_contain_text("Quiet Harbour Trust")
    assert_page_structure(page)
    assert_accessible(page)


def test_officer_reads_coverage_and_the_whole_approved_list(page, shared_framework):
    sign_in(page, "officer@demo.test")
    page.goto(f"/coverage/{shared_framework.reference}/")
    expect(page.locator("h1")).to_have_text("Coverage by lot and area")
    expect(page.get_by_role("link", name="Lot 1, Coventry: 2 providers")).to_be_visible()
    assert_page_structure(page)
    assert_accessible(page)

    page.get_by_role("link", name="See the whole approved list").click()
    expect(page.locator("h1")).to_have_text("Approved list")
    expect(page.locator("#approved-list")).to_contain_text("Quiet Harbour Trust")
    assert_page_structure(page)
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("History of Quiet Harbour Trust")).click()
    expect(page.locator("h1")).to_contain_text("History of Quiet Harbour Trust")
    assert_page_structure(page)
    assert_accessible(page)
