"""The coverage matrix (lots × areas): appointee and live-contract counts, flags, consent, cell pages,
the officer's export, access, and a query count that does not grow with suppliers."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from itertools import count

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commissioning.models import Area, Authority, User
from contracts import coverage_tallies
from contracts.coverage import coverage_cell, coverage_matrix
from contracts.models import Contract
from frameworks.models import Appointment
from tests.factories import make_area, make_authority, make_supplier, make_user
from tests.factories.frameworks import make_appointment, make_framework, make_lot
from tests.frameworks.test_partner_list import populate

pytestmark = pytest.mark.django_db
_seq = count(1)


def make_contract(lot, supplier, areas, *, buyer, live=True, **overrides) -> Contract:
    today = timezone.localdate()
    values = {
        "reference": f"C-{next(_seq):04d}",
        "title": "Support service",
        "start_on": today - timedelta(days=200),
        "initial_end_on": today + timedelta(days=700),
        "current_end_on": today + timedelta(days=700),
        "activated_at": timezone.now() if live else None,
    }
    values.update(overrides)
    contract = Contract.objects.create(lot=lot, supplier=supplier, buying_authority=buyer, **values)
    contract.areas.set(areas)
    coverage_tallies.recount([contract.lot_id])  # as the services that make a contract live do
    return contract


@pytest.fixture
def world(db):
    lead = make_authority(kind=Authority.Kind.OPCC, is_lead_commissioner=True)
    partner_authority = make_authority(name="Partner Borough Council")
    framework = make_framework(lead_authority=lead, partners=[partner_authority])
    lot1 = make_lot(framework, title="Refuge")
    lot2 = make_lot(framework, title="Outreach")
    north = make_area(name="Northfield", code="northfield")
    south = make_area(name="Southam", code="southam")
    east = make_area(name="Eastwood", code="eastwood")

    shared_a = make_supplier(legal_name="Shared Alpha")
    shared_b = make_supplier(legal_name="Shared Beta")
    private = make_supplier(legal_name="Private Gamma")
    make_appointment(lot1, shared_a, areas=[north, south])
    make_appointment(lot1, shared_b, areas=[north])
    make_appointment(lot1, private, areas=[north, south], consent_share_with_partners=False)
    make_appointment(lot2, shared_a, areas=[south])
    make_appointment(
        lot2, make_supplier(legal_name="Paused Delta"), areas=[south, east], status=Appointment.Status.SUSPENDED
    )
    make_appointment(
        lot2,
        make_supplier(legal_name="Ended Epsilon"),
        areas=[east],
        ends_on=timezone.localdate() - timedelta(days=1),
    )

    other_buyer = make_authority(name="Another Buyer")
    today = timezone.localdate()
    make_contract(lot1, shared_a, [north], buyer=lead, title="Refuge North")
    make_contract(lot1, private, [north, south], buyer=other_buyer, title="Private refuge")
    make_contract(lot1, shared_b, [north], buyer=lead, live=False, title="Draft refuge")
    make_contract(
        lot1,
        shared_b,
        [north],
        buyer=lead,
        title="Ended refuge",
        start_on=today - timedelta(days=800),
        initial_end_on=today - timedelta(days=10),
        current_end_on=today - timedelta(days=10),
    )
    make_contract(
        lot1,
        shared_b,
        [south],
        buyer=lead,
        title="Terminated refuge",
        terminated_on=today - timedelta(days=5),
    )
    make_contract(
        lot2,
        shared_a,
        [south],
        buyer=partner_authority,
        title="Outreach ending soon",
        current_end_on=today + timedelta(days=30),
        initial_end_on=today + timedelta(days=30),
    )
    elsewhere = make_lot(make_framework(), title="Other framework lot")
    make_contract(elsewhere, shared_a, [north], buyer=lead, title="Other framework contract")

    return {
        "framework": framework,
        "lot1": lot1,
        "lot2": lot2,
        "north": north,
        "south": south,
        "east": east,
        "lead": lead,
        "officer": make_user(User.Role.OFFICER, authority=lead),
        "partner": make_user(User.Role.PARTNER, authority=partner_authority),
        "partner_authority": partner_authority,
    }


def counts(matrix) -> dict[tuple[int, str], tuple[int, int]]:
    return {
        (cell.lot.number, cell.area.code): (cell.appointees, cell.live_contracts)
        for cell in matrix.cells()
        if cell.area.code in {"northfield", "southam", "eastwood"}
    }


def test_officers_see_every_active_appointee_and_every_live_contract(world):
    matrix = coverage_matrix(world["framework"])
    assert [row.lot.number for row in matrix.rows] == [1, 2]
    assert counts(matrix) == {
        (1, "eastwood"): (0, 0),
        (1, "northfield"): (3, 2),  # Refuge North and Private refuge are in force
        (1, "southam"): (2, 1),  # the terminated one no longer counts
        (2, "eastwood"): (0, 0),  # suspended and ended appointments are not counted
        (2, "northfield"): (0, 0),
        (2, "southam"): (1, 1),  # a contract in its final six months is still in force
    }


def test_partners_count_only_suppliers_who_consented_but_every_live_contract(world):
    matrix = coverage_matrix(world["framework"], for_authority=world["partner_authority"])
    assert counts(matrix)[(1, "northfield")] == (2, 2)
    assert counts(matrix)[(1, "southam")] == (1, 1)


def test_cells_with_no_provider_or_one_are_flagged(world):
    matrix = coverage_matrix(world["framework"])
    assert matrix.cell(world["lot1"], world["north"]).flag == ""
    assert matrix.cell(world["lot1"], world["south"]).flag == ""
    assert matrix.cell(world["lot2"], world["south"]).flag_label == "One provider"
    assert matrix.cell(world["lot2"], world["east"]).flag_label == "No provider"
    shared = coverage_matrix(world["framework"], for_authority=world["partner_authority"])
    assert shared.cell(world["lot1"], world["south"]).flag_label == "One provider"


def test_every_area_is_a_column_even_when_nobody_covers_it(world):
    lonely = make_area(name="Zeta Vale", code="zeta-vale")
    matrix = coverage_matrix(world["framework"])
    assert lonely in matrix.areas
    assert matrix.cell(world["lot1"], lonely).flag_label == "No provider"


def test_the_cell_lists_the_suppliers_and_contracts_behind_it(world):
    detail = coverage_cell(world["framework"], world["lot1"], world["north"])
    assert [a.supplier.legal_name for a in detail.appointments] == ["Private Gamma", "Shared Alpha", "Shared Beta"]
    assert sorted(c.title for c in detail.contracts) == ["Private refuge", "Refuge North"]
    assert (detail.cell.appointees, detail.cell.live_contracts) == (3, 2)


def matrix_cells(html: str) -> dict[tuple[str, str], str]:
    return {
        (lot, area): re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()
        for lot, area, body in re.findall(r'data-lot="(\d+)" data-area="([\w-]+)">(.*?)</td>', html, re.S)
    }


def test_the_matrix_page_for_an_officer(client, world):
    client.force_login(world["officer"])
    response = client.get(f"/coverage/{world['framework'].reference}/")
    assert response.status_code == 200
    html = response.content.decode()
    cells = matrix_cells(html)
    assert cells[("1", "northfield")] == "Lot 1, Northfield: 3 providers 2 live contracts"
    assert cells[("2", "southam")] == "Lot 2, Southam: 1 provider 1 live contract Thin coverage: One provider"
    assert cells[("2", "eastwood")] == "Lot 2, Eastwood: 0 providers 0 live contracts Coverage gap: No provider"
    assert '<span class="govuk-visually-hidden">Coverage gap: </span>No provider' in html
    assert f"/coverage/{world['framework'].reference}/lots/1/areas/northfield/" in html
    assert "/export/csv/" in html and "/export/xlsx/" in html
    assert html.count("<h1") == 1 and "<caption" in html and 'scope="col"' in html and 'scope="row"' in html


def test_the_matrix_page_for_a_partner_respects_consent_and_offers_no_export(client, world):
    client.force_login(world["partner"])
    html = client.get(f"/coverage/{world['framework'].reference}/").content.decode()
    assert matrix_cells(html)[("1", "northfield")] == "Lot 1, Northfield: 2 providers 2 live contracts"
    assert "/export/" not in html


def test_the_cell_page_for_a_partner_hides_suppliers_who_did_not_consent_and_all_values(client, world):
    client.force_login(world["partner"])
    url = f"/coverage/{world['framework'].reference}/lots/1/areas/northfield/"
    html = client.get(url).content.decode()
    assert "Shared Alpha" in html and "Shared Beta" in html
    assert "Private Gamma" not in html
    assert "Private refuge" in html and "A supplier who has not agreed to share their details" in html
    assert "Refuge North" in html and "Draft refuge" not in html
    assert "£" not in html
    assert html.count("<h1") == 1


def test_the_cell_page_for_an_officer_shows_everyone(client, world):
    client.force_login(world["officer"])
    html = client.get(f"/coverage/{world['framework'].reference}/lots/1/areas/northfield/").content.decode()
    assert "Private Gamma" in html and "not agreed to share" not in html


def test_an_unknown_lot_or_area_is_404(client, world):
    client.force_login(world["officer"])
    ref = world["framework"].reference
    assert client.get(f"/coverage/{ref}/lots/9/areas/northfield/").status_code == 404
    assert client.get(f"/coverage/{ref}/lots/1/areas/atlantis/").status_code == 404


def export_rows(client, world, fmt: str) -> list[dict]:
    response = client.get(f"/coverage/{world['framework'].reference}/export/{fmt}/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    values = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_officer_exports_one_row_per_cell(client, world, fmt):
    client.force_login(world["officer"])
    rows = export_rows(client, world, fmt)
    assert len(rows) == 2 * Area.objects.count()
    row = next(r for r in rows if r["Area"] == "Northfield" and str(r["Lot number"]) == "1")
    assert str(row["Active appointees"]) == "3" and str(row["Live contracts"]) == "2"
    assert row["Coverage"] == "Two or more providers"
    gap = next(r for r in rows if r["Area"] == "Eastwood" and str(r["Lot number"]) == "2")
    assert gap["Coverage"] == "No provider"


def test_only_officers_may_export_the_matrix(client, world):
    client.force_login(world["partner"])
    assert client.get(f"/coverage/{world['framework'].reference}/export/csv/").status_code == 403


# Access ---------------------------------------------------------------------------------------------


def coverage_urls(world) -> list[str]:
    ref = world["framework"].reference
    return [f"/coverage/{ref}/", f"/coverage/{ref}/lots/1/areas/northfield/", f"/coverage/{ref}/export/csv/"]


def test_the_coverage_index_lists_what_each_user_may_see(client, world):
    not_mine = make_framework(title="Not Mine Framework", partners=[make_authority()])
    for user in (world["officer"], world["partner"]):
        client.force_login(user)
        html = client.get("/coverage/").content.decode()
        assert world["framework"].title in html
        assert not_mine.title not in html


def test_a_partner_of_an_authority_not_named_gets_404(client, world):
    client.force_login(make_user(User.Role.PARTNER))
    for url in coverage_urls(world)[:2]:
        assert client.get(url).status_code == 404, url


def test_an_officer_of_another_authority_gets_404(client, world):
    client.force_login(make_user(User.Role.OFFICER))
    for url in coverage_urls(world):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("role", [User.Role.PROVIDER, User.Role.EVALUATOR])
def test_providers_and_evaluators_are_refused(client, world, role):
    client.force_login(make_user(role))
    for url in ["/coverage/", *coverage_urls(world)]:
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for url in ["/coverage/", *coverage_urls(world)]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/sign-in/"), url


def test_partners_posting_to_coverage_are_refused(client, world):
    client.force_login(world["partner"])
    for url in ["/coverage/", *coverage_urls(world)]:
        assert client.post(url).status_code == 403, url


# Query counts ---------------------------------------------------------------------------------------


def test_the_matrix_makes_the_same_number_of_queries_for_10_and_500_suppliers(client, world):
    framework = world["framework"]
    lots, areas = [world["lot1"], world["lot2"]], [world["north"], world["south"], world["east"]]
    url = f"/coverage/{framework.reference}/"
    client.force_login(world["partner"])

    appointments = populate(framework, lots, areas, 10, prefix="Ten")
    for appointment in appointments[:3]:
        make_contract(appointment.lot, appointment.supplier, areas, buyer=world["lead"])
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as small_direct:
        coverage_matrix(framework, for_authority=world["partner_authority"])

    appointments = populate(framework, lots, areas, 490, prefix="Many")
    for appointment in appointments[:40]:
        make_contract(appointment.lot, appointment.supplier, areas, buyer=world["lead"])
    with CaptureQueriesContext(connection) as large:
        html = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as large_direct:
        matrix = coverage_matrix(framework, for_authority=world["partner_authority"])

    assert len(small) == len(large)
    assert len(small_direct) == len(large_direct) == 4
    assert matrix.cell(world["lot1"], world["north"]).appointees == 2 + 250
    assert "Lot 1, Northfield: </span>252 providers" in html
    print(f"\ncoverage matrix page: {len(small)} queries at 10 and {len(large)} at 500 suppliers")  # noqa: T201


def test_the_framework_report_can_reuse_the_matrix(world):
    """`coverage_matrix` needs only the framework (and optionally an authority and a date)."""
    past = coverage_matrix(world["framework"], today=date(2000, 1, 1))
    assert all(cell.live_contracts == 0 for cell in past.cells())
    assert past.today == date(2000, 1, 1)
