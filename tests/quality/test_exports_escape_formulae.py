"""Every export, in the portal and the admin, as CSV and as XLSX, with a supplier (and its contract and an
indicator) named `=HYPERLINK("http://example.org","x")`: each file is read back with `csv` and openpyxl
and no cell may be a formula. Every resource class of the project is one of the exports walked here."""

from __future__ import annotations

import csv
import importlib
import io
import re

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from import_export.resources import Resource

from commissioning.exports import PLAIN_NUMBER, SpreadsheetSafeMixin
from commissioning.models import Authority, User
from monitoring.models import Indicator, QuarterlyReturn
from tests.factories import make_area, make_authority, make_user
from tests.factories.files import FORMULA
from tests.factories.frameworks import make_appointment, make_framework, make_lot
from tests.factories.monitoring import make_monitored_contract, make_return

pytestmark = pytest.mark.django_db
RUNNABLE = ("=", "+", "-", "@", "\t", "\r")
ADMIN_EXPORTS = {
    "admin:frameworks_appointment_export": "frameworks.resources.AppointmentResource",
    "admin:contracts_contract_export": "contracts.resources.ContractResource",
    "admin:monitoring_indicator_export": "monitoring.resources.IndicatorResource",
    "admin:monitoring_quarterlyreturn_export": "monitoring.resources.QuarterlyReturnResource",
}
PORTAL_RESOURCES = {
    "frameworks.resources_partner.PartnerApprovedListResource",
    "frameworks.resources_partner.OfficerApprovedListResource",
    "contracts.coverage.CoverageResource",
}


@pytest.fixture
def world():
    lead = make_authority(kind=Authority.Kind.OPCC, is_lead_commissioner=True)
    partner_authority = make_authority(name="Partner Council")
    officer = make_user(User.Role.OFFICER, authority=lead)
    provider = make_user(User.Role.PROVIDER)
    supplier = provider.supplier_membership.supplier
    supplier.legal_name, supplier.trading_name = FORMULA, "+SUM(1,2)"
    supplier.contact_name, supplier.contact_phone = "@SUM(1,2)", "-2+3"
    supplier.save()
    framework = make_framework(lead_authority=lead, partners=[partner_authority])
    lot = make_lot(framework, title=FORMULA)
    area = make_area(name="Northfield", code="northfield")
    make_appointment(lot, supplier, areas=[area], status_reason=FORMULA)
    monitored = make_monitored_contract(
        lot=lot, officer=officer, provider=provider, areas=[area], title=FORMULA, reference="=1+1"
    )
    Indicator.objects.filter(template=monitored.template, code="REF").update(name=FORMULA, guidance=FORMULA)
    make_return(monitored, status=QuarterlyReturn.Status.ACCEPTED)
    return {
        "officer": officer,
        "provider": provider,
        "partner": make_user(User.Role.PARTNER, authority=partner_authority),
        "framework": framework,
        "lot": lot,
        "monitored": monitored,
    }


def runnable(value) -> bool:
    return isinstance(value, str) and value.lstrip(" ").startswith(RUNNABLE) and not PLAIN_NUMBER.fullmatch(value)


def assert_no_formula(content: bytes, fmt: str, where: str) -> None:
    if fmt == "csv":
        cells = [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]
        assert any("HYPERLINK" in cell for cell in cells), f"{where}: the supplier's name is not in the file"
        assert [cell for cell in cells if runnable(cell)] == [], f"{where}: a cell would run as a formula"
        return
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert any("HYPERLINK" in str(cell.value) for cell in cells), f"{where}: the supplier's name is not in the file"
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == [], f"{where}: a cell is a formula"


def admin_export(client: Client, url_name: str, fmt: str) -> bytes:
    """The admin's export, as an officer fills its form in: every column ticked, the format chosen."""
    url = reverse(url_name)
    page = client.get(url).content.decode()
    formats = dict(
        (label.lower(), value) for value, label in re.findall(r'<option value="(\d+)"[^>]*>(\w+)</option>', page)
    )
    columns = {name: "on" for name in re.findall(r'<input type="checkbox" name="([^"]+)"', page)}
    response = client.post(url, {"format": formats[fmt], "resource": "0", **columns})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"], url
    return response.content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_no_admin_export_writes_a_formula(client, world, fmt):
    client.force_login(world["officer"])
    for url_name in ADMIN_EXPORTS:
        assert_no_formula(admin_export(client, url_name, fmt), fmt, url_name)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_no_portal_export_writes_a_formula(client, world, fmt):
    reference = world["framework"].reference
    client.force_login(world["partner"])
    response = client.get(reverse("approved_list:shared_list_export", args=[reference, fmt]))
    assert_no_formula(response.content, fmt, "the partner's approved list")
    client.force_login(world["officer"])
    response = client.get(reverse("approved_list:officer_list_export", args=[reference, fmt]))
    assert_no_formula(response.content, fmt, "the officer's approved list")
    response = client.get(reverse("coverage:export", args=[reference, fmt]))
    assert_no_formula(response.content, fmt, "the coverage matrix")


def test_the_workbooks_the_portal_builds_hold_no_formula(client, world):
    """The return template wrote the organisation's name as a formula (finding 3); the half-year export
    writes indicator names."""
    monitored = world["monitored"]
    client.force_login(world["officer"])
    response = client.get(reverse("monitoring:aggregates_export"), {"lot": world["lot"].pk, "year": 2025})
    assert_no_formula(response.content, "xlsx", "the half-year export")
    client.force_login(world["provider"])
    response = client.get(reverse("monitoring:download_spreadsheet", args=[monitored.contract.pk, 2025, 2]))
    assert response.status_code == 200
    assert_no_formula(response.content, "xlsx", "the return template")
    about = openpyxl.load_workbook(io.BytesIO(response.content))["About"]
    assert about["B5"].value == FORMULA  # shown exactly as the supplier wrote it, as text


def test_every_resource_of_the_project_is_spreadsheet_safe_and_walked_here():
    for app in ("commissioning", "suppliers", "frameworks", "contracts", "monitoring"):
        for module in ("resources", "resources_partner", "coverage"):
            try:
                importlib.import_module(f"{app}.{module}")
            except ModuleNotFoundError:
                continue

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    apps = {"commissioning", "suppliers", "frameworks", "contracts", "monitoring"}
    ours = {
        f"{cls.__module__}.{cls.__name__}": cls
        for cls in subclasses(Resource)
        if cls.__module__.split(".")[0] in apps and cls.__module__ != "commissioning.exports"
    }
    assert [name for name, cls in ours.items() if not issubclass(cls, SpreadsheetSafeMixin)] == []
    assert set(ours) == set(ADMIN_EXPORTS.values()) | PORTAL_RESOURCES


def test_the_escape_is_one_setting(settings):
    from commissioning.exports import escape_formula

    assert escape_formula(FORMULA) == "'" + FORMULA and escape_formula("-250.00") == "-250.00"
    settings.EXPORT_ESCAPE_FORMULAE = False
    assert escape_formula(FORMULA) == FORMULA
