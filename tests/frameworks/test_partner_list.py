"""Partner commissioners' shared approved list: consent, scoping, filters, sorting, exports, access
and query counts."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from types import SimpleNamespace

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commissioning.models import Authority, User
from frameworks import coverage_tallies
from frameworks.models import Application, Appointment, ConsortiumMember
from suppliers.models import Accreditation, AccreditationScheme, Supplier
from tests.factories import make_area, make_authority, make_supplier, make_user
from tests.factories.frameworks import (
    make_application,
    make_appointment,
    make_framework,
    make_lot,
    make_window,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    today = timezone.localdate()
    coventry = make_authority(name="Coventry Test Council")
    lead = make_authority(kind=Authority.Kind.OPCC, is_lead_commissioner=True)
    framework = make_framework(partners=[coventry], lead_authority=lead, title="Victim Support Framework")
    lot1 = make_lot(framework, title="Domestic abuse support")
    lot2 = make_lot(framework, title="Sexual violence support")
    north = make_area(name="Northfield", code="northfield")
    south = make_area(name="Southam", code="southam")
    window = make_window(framework, open_now=False)

    alpha = make_supplier(
        legal_name="Alpha Advocacy",
        contact_name="Ada Alpha",
        contact_email="ada@alpha.example",
        contact_phone="0121 496 0001",
        is_vcse=True,
    )
    beta = make_supplier(legal_name="Beta Support Ltd", kind=Supplier.Kind.COMPANY, is_vcse=False)
    Accreditation.objects.create(
        supplier=alpha, scheme=AccreditationScheme.RESPECT, expires_on=today + timedelta(days=300)
    )
    Accreditation.objects.create(
        supplier=alpha, scheme=AccreditationScheme.SAFELIVES, expires_on=today - timedelta(days=30)
    )
    Accreditation.objects.create(
        supplier=beta,
        scheme=AccreditationScheme.EQUIVALENT,
        equivalent_to=AccreditationScheme.WOMENS_AID,
        equivalent_name="Midlands Refuge Standard",
        expires_on=today + timedelta(days=100),
    )
    application = make_application(window, alpha, lots=[lot1], areas=[north], is_consortium=True)
    ConsortiumMember.objects.create(application=application, name="Gamma Counselling", role="Counselling")

    listed = [
        make_appointment(lot1, alpha, areas=[north], application=application, starts_on=date(2025, 7, 1)),
        make_appointment(lot2, beta, areas=[north, south], starts_on=date(2025, 9, 1)),
        make_appointment(lot2, alpha, areas=[south], starts_on=date(2025, 8, 1)),
    ]
    not_listed = {
        "no consent": make_appointment(
            lot1, make_supplier(legal_name="Hidden Help"), areas=[north], consent_share_with_partners=False
        ),
        "suspended": make_appointment(
            lot1,
            make_supplier(legal_name="Paused Project"),
            areas=[north],
            status=Appointment.Status.SUSPENDED,
        ),
        "removed": make_appointment(
            lot1, make_supplier(legal_name="Gone Group"), areas=[north], status=Appointment.Status.REMOVED
        ),
        "ended": make_appointment(
            lot1,
            make_supplier(legal_name="Ended Enterprise"),
            areas=[north],
            ends_on=today - timedelta(days=1),
        ),
    }
    return SimpleNamespace(
        framework=framework,
        lot1=lot1,
        lot2=lot2,
        north=north,
        south=south,
        alpha=alpha,
        beta=beta,
        listed=listed,
        not_listed=not_listed,
        coventry=coventry,
        lead=lead,
        partner=make_user(User.Role.PARTNER, authority=coventry),
        outsider=make_user(User.Role.PARTNER),
    )


def list_url(framework, query: str = "") -> str:
    return f"/partner/frameworks/{framework.reference}/" + (f"?{query}" if query else "")


def export_url(framework, fmt: str, query: str = "") -> str:
    return f"/partner/frameworks/{framework.reference}/export/{fmt}/" + (f"?{query}" if query else "")


def screen_rows(html: str) -> list[tuple[str, int]]:
    """(supplier, lot number) of each row of the approved list table, in order."""
    table = re.search(r'<table class="govuk-table[^"]*" id="approved-list">(.*?)</table>', html, re.S)
    if table is None:
        return []
    body = table.group(1).split('<tbody class="govuk-table__body">')[1]
    rows = []
    for row in body.split('<tr class="govuk-table__row">')[1:]:
        supplier = re.search(r'<th scope="row" class="govuk-table__header">\s*([^<]+?)\s*<', row).group(1)
        lot = int(re.search(r"Lot (\d+):", row).group(1))
        rows.append((supplier, lot))
    return rows


def csv_rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content: bytes) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def file_pairs(rows: list[dict]) -> list[tuple[str, int]]:
    return [(row["Supplier"], int(re.match(r"Lot (\d+):", row["Lot"]).group(1))) for row in rows]


# What is listed -------------------------------------------------------------------------------------


def test_partner_sees_only_consented_current_active_appointments(client, world):
    client.force_login(world.partner)
    response = client.get(list_url(world.framework))
    assert response.status_code == 200
    html = response.content.decode()
    assert screen_rows(html) == [("Alpha Advocacy", 1), ("Alpha Advocacy", 2), ("Beta Support Ltd", 2)]
    for name in ["Hidden Help", "Paused Project", "Gone Group", "Ended Enterprise"]:
        assert name not in html


def test_each_row_shows_areas_accreditations_consortium_contacts_and_dates(client, world):
    client.force_login(world.partner)
    html = client.get(list_url(world.framework, "lot=1")).content.decode()
    assert "Northfield" in html
    assert "Respect Accreditation" in html
    assert "SafeLives Leading Lights" in html
    assert re.search(r"govuk-tag--red\">Expired</strong> on \d+ \w+ \d{4}", html)
    assert "Gamma Counselling (Counselling)" in html
    assert "Ada Alpha" in html and "mailto:ada@alpha.example" in html and "0121 496 0001" in html
    assert "From 1 July 2025" in html
    # A partner never sees what only the lead authority sees.
    for private in ["Status and consent", "score", "Score", "History"]:
        assert private not in html


def test_partner_sees_no_framework_of_another_authority_in_the_list(client, world):
    make_framework(partners=[make_authority()], title="Someone Else's Framework")
    client.force_login(world.partner)
    html = client.get("/partner/frameworks/").content.decode()
    assert "Victim Support Framework" in html
    assert "Someone Else" not in html
    home = client.get("/partner/").content.decode()
    assert "Victim Support Framework" in home and "Someone Else" not in home


def test_supplier_count_on_the_framework_list_respects_consent(client, world):
    client.force_login(world.partner)
    html = client.get("/partner/frameworks/").content.decode()
    cell = re.search(r'govuk-table__cell--numeric">(\d+)</td>', html)
    assert cell.group(1) == "2"  # Alpha and Beta; the hidden, paused, removed and ended ones are not


# Filters and sorting --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lot=1", [("Alpha Advocacy", 1)]),
        ("lot=2", [("Alpha Advocacy", 2), ("Beta Support Ltd", 2)]),
        ("area=southam", [("Alpha Advocacy", 2), ("Beta Support Ltd", 2)]),
        ("area=northfield&lot=2", [("Beta Support Ltd", 2)]),
        ("scheme=respect", [("Alpha Advocacy", 1), ("Alpha Advocacy", 2)]),
        ("scheme=safelives", []),  # Alpha's SafeLives accreditation has expired
        ("scheme=womens_aid", [("Beta Support Ltd", 2)]),  # an accepted equivalent counts
        ("vcse=on", [("Alpha Advocacy", 1), ("Alpha Advocacy", 2)]),
        ("sort=newest", [("Beta Support Ltd", 2), ("Alpha Advocacy", 2), ("Alpha Advocacy", 1)]),
        ("sort=oldest", [("Alpha Advocacy", 1), ("Alpha Advocacy", 2), ("Beta Support Ltd", 2)]),
    ],
)
def test_filters_and_sorting(client, world, query, expected):
    client.force_login(world.partner)
    html = client.get(list_url(world.framework, query)).content.decode()
    assert screen_rows(html) == expected
    if not expected:
        assert "No suppliers match your filters" in html


def test_an_invalid_filter_is_reported_and_the_valid_ones_still_apply(client, world):
    client.force_login(world.partner)
    response = client.get(list_url(world.framework, "lot=99&area=southam&vcse=on&sort=newest"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and '<a href="#id_lot">Select a lot from the list</a>' in html
    assert "<title>Error: " in html
    # The message also sits by the field, which points to it; the other choices are kept.
    assert '<p id="id_lot_error" class="govuk-error-message">' in html
    assert 'id="id_lot" name="lot" aria-describedby="id_lot_error" aria-invalid="true"' in html
    assert '<option value="southam" selected>' in html
    assert '<option value="newest" selected>' in html
    assert 'name="vcse" type="checkbox" checked' in html
    assert screen_rows(html) == [("Alpha Advocacy", 2)]


# Exports --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "lot=2", "area=northfield", "scheme=respect&sort=newest", "vcse=on"])
def test_exports_hold_exactly_the_rows_on_screen(client, world, query):
    client.force_login(world.partner)
    on_screen = screen_rows(client.get(list_url(world.framework, query)).content.decode())

    response = client.get(export_url(world.framework, "csv", query))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert file_pairs(csv_rows(response.content)) == on_screen

    response = client.get(export_url(world.framework, "xlsx", query))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert file_pairs(xlsx_rows(response.content)) == on_screen


def test_export_columns_and_content(client, world):
    client.force_login(world.partner)
    rows = csv_rows(client.get(export_url(world.framework, "csv", "lot=1")).content)
    assert rows == [
        {
            "Supplier": "Alpha Advocacy",
            "Trading name": "",
            "VCSE": "Yes",
            "Lot": "Lot 1: Domestic abuse support",
            "Areas covered": "Northfield",
            "Accreditations": rows[0]["Accreditations"],
            "Consortium members": "Gamma Counselling (Counselling)",
            "Contact name": "Ada Alpha",
            "Contact email": "ada@alpha.example",
            "Contact phone": "0121 496 0001",
            "Appointed from": "2025-07-01",
            "Appointed until": "",
        }
    ]
    assert "Respect Accreditation (expires" in rows[0]["Accreditations"]
    assert "SafeLives Leading Lights (EXPIRED" in rows[0]["Accreditations"]


def test_exports_never_include_suppliers_who_did_not_consent(client, world):
    client.force_login(world.partner)
    for fmt, reader in [("csv", csv_rows), ("xlsx", xlsx_rows)]:
        names = {row["Supplier"] for row in reader(client.get(export_url(world.framework, fmt)).content)}
        assert names == {"Alpha Advocacy", "Beta Support Ltd"}


def test_formulae_typed_into_a_supplier_name_are_exported_as_text(client, world):
    make_appointment(world.lot1, make_supplier(legal_name='=HYPERLINK("http://evil.example")'))
    client.force_login(world.partner)
    names = [row["Supplier"] for row in csv_rows(client.get(export_url(world.framework, "csv")).content)]
    assert '\'=HYPERLINK("http://evil.example")' in names


def test_an_unknown_export_format_is_not_found(client, world):
    client.force_login(world.partner)
    assert client.get(export_url(world.framework, "pdf")).status_code == 404


# Access ---------------------------------------------------------------------------------------------


def partner_urls(framework) -> list[str]:
    return [
        list_url(framework),
        export_url(framework, "csv"),
        export_url(framework, "xlsx"),
        f"/coverage/{framework.reference}/",
        f"/coverage/{framework.reference}/lots/1/areas/northfield/",
    ]


def test_a_partner_of_an_authority_not_named_gets_404_on_every_url_of_the_framework(client, world):
    client.force_login(world.outsider)
    for url in partner_urls(world.framework):
        assert client.get(url).status_code == 404, url


def test_a_framework_shared_with_another_authority_only_is_404(client, world):
    framework = make_framework(partners=[make_authority()])
    make_lot(framework)
    client.force_login(world.partner)
    for url in partner_urls(framework):
        assert client.get(url).status_code == 404, url


def test_a_partner_without_an_authority_is_refused(client, world):
    client.force_login(make_user(User.Role.PARTNER, authority=None))
    assert client.get("/partner/frameworks/").status_code == 403
    assert client.get(list_url(world.framework)).status_code == 403


@pytest.mark.parametrize("role", [User.Role.OFFICER, User.Role.PROVIDER, User.Role.EVALUATOR])
def test_other_roles_are_refused_the_partner_pages(client, world, role):
    user = make_user(role, authority=world.lead) if role == User.Role.OFFICER else make_user(role)
    client.force_login(user)
    for url in ["/partner/frameworks/", list_url(world.framework), export_url(world.framework, "csv")]:
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for url in ["/partner/frameworks/", list_url(world.framework), export_url(world.framework, "xlsx")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/sign-in/?next=")


def test_every_unsafe_request_of_a_partner_is_refused(client, world):
    client.force_login(world.partner)
    urls = ["/partner/", "/partner/frameworks/", *partner_urls(world.framework), "/coverage/"]
    for url in urls:
        for method in (client.post, client.put, client.patch, client.delete):
            assert method(url).status_code == 403, (method, url)


# Query counts ---------------------------------------------------------------------------------------


def populate(framework, lots, areas, count: int, *, prefix: str, consent: bool = True) -> list[Appointment]:
    """Add `count` suppliers appointed to the lots in turn, each covering every area, with an
    accreditation and a consortium member, using bulk inserts."""
    today = timezone.localdate()
    suppliers = Supplier.objects.bulk_create(
        Supplier(
            legal_name=f"{prefix} {i:04d}",
            kind=Supplier.Kind.CHARITY,
            contact_name=f"Contact {i}",
            contact_email=f"c{i}@{prefix.lower()}.example",
            is_vcse=bool(i % 2),
        )
        for i in range(count)
    )
    Accreditation.objects.bulk_create(
        Accreditation(supplier=s, scheme=AccreditationScheme.RESPECT, expires_on=today + timedelta(days=90))
        for s in suppliers
    )
    window = make_window(framework, open_now=False)
    creator = make_user(User.Role.OFFICER)
    applications = Application.objects.bulk_create(
        Application(supplier=s, window=window, created_by=creator, status=Application.Status.DECIDED) for s in suppliers
    )
    ConsortiumMember.objects.bulk_create(
        ConsortiumMember(application=a, name=f"Member of {a.supplier_id}", role="Outreach") for a in applications
    )
    appointments = Appointment.objects.bulk_create(
        Appointment(
            supplier=s,
            lot=lots[i % len(lots)],
            application=a,
            starts_on=date(2025, 7, 1),
            consent_share_with_partners=consent,
            consent_publish=consent,
        )
        for i, (s, a) in enumerate(zip(suppliers, applications, strict=True))
    )
    through = Appointment.areas.through
    through.objects.bulk_create(through(appointment=ap, area=ar) for ap in appointments for ar in areas)
    coverage_tallies.recount(lot.pk for lot in lots)  # as the services that appoint do
    return appointments


def count_queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_list_and_its_export_make_the_same_number_of_queries_for_10_and_500_suppliers(client, world):
    client.force_login(world.partner)
    lots, areas = [world.lot1, world.lot2], [world.north, world.south]
    populate(world.framework, lots, areas, 10, prefix="Bulk")
    small, html = count_queries(client, list_url(world.framework, "sort=supplier"))
    small_export, _ = count_queries(client, export_url(world.framework, "csv"))
    assert len(screen_rows(html)) == 10 + 3

    populate(world.framework, lots, areas, 490, prefix="More")
    large, html = count_queries(client, list_url(world.framework, "sort=supplier"))
    large_export, csv_text = count_queries(client, export_url(world.framework, "csv"))
    # The page shows 50 rows at a time and says how many there are; the export holds them all.
    assert len(screen_rows(html)) == 50
    assert "503 appointments" in html
    assert "Page 1 of 11 (503 in all)" in html
    assert len(csv_text.strip().splitlines()) == 1 + 503
    _, last_page = count_queries(client, list_url(world.framework, "sort=supplier&page=11"))
    assert len(screen_rows(last_page)) == 3
    assert f'href="{export_url(world.framework, "csv", "sort=supplier")}"' in last_page  # every page, not this one
    assert small == large
    assert small_export == large_export
    print(f"\npartner list: {small} queries at 10 and {large} at 500 suppliers")  # noqa: T201


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=beta", [("Beta Support Ltd", 2)]),
        ("q=alpha+advocacy&lot=2", [("Alpha Advocacy", 2)]),
        ("sort=supplier-desc", [("Beta Support Ltd", 2), ("Alpha Advocacy", 1), ("Alpha Advocacy", 2)]),
        ("sort=lot-desc", [("Alpha Advocacy", 2), ("Beta Support Ltd", 2), ("Alpha Advocacy", 1)]),
        ("sort=lot", [("Alpha Advocacy", 1), ("Alpha Advocacy", 2), ("Beta Support Ltd", 2)]),
    ],
)
def test_the_search_box_and_the_sortable_columns(client, world, query, expected):
    client.force_login(world.partner)
    assert screen_rows(client.get(list_url(world.framework, query)).content.decode()) == expected


def test_the_column_headers_sort_and_keep_the_search_and_filters(client, world):
    client.force_login(world.partner)
    html = client.get(list_url(world.framework, "q=a&area=southam&sort=supplier&page=1")).content.decode()
    assert 'aria-sort="ascending"' in html
    assert 'href="?q=a&amp;area=southam&amp;sort=supplier-desc"' in html
    assert 'href="?q=a&amp;area=southam&amp;sort=lot"' in html
    assert 'id="search-q" name="q" type="search" value="a"' in html


def test_the_xlsx_has_a_named_sheet_and_real_date_cells(client, world):
    """Issue 18: never "Tablib Dataset", never dates as text."""
    client.force_login(world.partner)
    response = client.get(export_url(world.framework, "xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Approved suppliers"]
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    starts = sheet.cell(row=2, column=headers.index("Appointed from") + 1)
    assert starts.is_date, f"'Appointed from' is {starts.data_type!r}: {starts.value!r}"


def test_the_whole_lists_length_is_added_up_from_the_tallies_as_the_rows_would_count(world, client):
    from frameworks import partner_selectors as selectors

    whole = selectors.ApprovedListFilters()
    shared = selectors.shared_approved_list(world.framework, world.coventry, whole)
    assert selectors.shared_list_size(world.framework, whole) == shared.count() == 3
    groups = selectors.officer_approved_list_pages(world.framework, whole)
    # Active: the three listed, the one without consent and the one ended; one suspended, one removed.
    assert selectors.officer_list_group_sizes(world.framework, whole) == groups.sizes() == [5, 1, 1]
    # Filtered or searched, the rows are counted.
    assert selectors.shared_list_size(world.framework, selectors.ApprovedListFilters(lot=world.lot1)) is None
    assert selectors.officer_list_group_sizes(world.framework, selectors.ApprovedListFilters(q="Alpha")) is None

    client.force_login(world.partner)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(list_url(world.framework)).content.decode()
    assert "3 appointments" in html and len(screen_rows(html)) == 3
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert not any('FROM "frameworks_appointment"' in sql for sql in counts), counts

    world.framework.term_end = timezone.localdate() - timedelta(days=1)
    world.framework.save()
    assert selectors.shared_list_size(world.framework, whole) == 0 == shared.count()
