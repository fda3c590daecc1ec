"""The register as a spreadsheet: export to CSV/XLSX, import with a dry-run preview and per-row errors."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile

from commissioning.models import AuditEvent, Authority
from contracts.models import Contract
from contracts.resources import ContractResource
from tests.factories import make_authority, make_supplier
from tests.factories.contracts import make_live_contract

pytestmark = pytest.mark.django_db

HEADERS = [
    "reference",
    "service",
    "contract_or_grant",
    "provider",
    "buying_authority",
    "start_date",
    "initial_end_date",
    "extension_options_months",
    "annual_value",
]


@pytest.fixture
def parties():
    supplier = make_supplier(legal_name="Victim Support")
    authority = make_authority(name="Avon and Somerset OPCC", kind=Authority.Kind.OTHER_PCC)
    return supplier, authority


def _dataset(*rows) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=HEADERS)
    for row in rows:
        dataset.append(row)
    return dataset


GOOD = [
    "AS-ESS",
    "Emotional Support Service",
    "contract",
    "Victim Support",
    "Avon and Somerset OPCC",
    "2015-04-01",
    "31/03/2018",
    "12",
    "£296,973",
]


def test_a_dry_run_shows_an_error_against_each_bad_row_and_saves_nothing(officer, parties):
    dataset = _dataset(
        GOOD,
        [
            "AS-X1",
            "Unknown provider",
            "grant",
            "Nobody Ltd",
            "Avon and Somerset OPCC",
            "2018-04-01",
            "2019-03-31",
            "",
            "1000",
        ],
        [
            "AS-X2",
            "Ends first",
            "contract",
            "Victim Support",
            "Avon and Somerset OPCC",
            "2018-04-01",
            "2018-03-31",
            "",
            "1000",
        ],
        [
            "AS-X3",
            "Bad money",
            "grant",
            "Victim Support",
            "Avon and Somerset OPCC",
            "2018-04-01",
            "2019-03-31",
            "",
            "about £20k",
        ],
        [
            "AS-X4",
            "Bad date",
            "grant",
            "Victim Support",
            "Avon and Somerset OPCC",
            "1st April",
            "2019-03-31",
            "",
            "1000",
        ],
        [
            "AS-X5",
            "Bad options",
            "contract",
            "Victim Support",
            "Avon and Somerset OPCC",
            "2018-04-01",
            "2019-03-31",
            "1 year",
            "1000",
        ],
    )
    result = ContractResource().import_data(dataset, dry_run=True, user=officer)

    assert result.has_validation_errors()
    invalid = {row.number: row.error_dict for row in result.invalid_rows}
    assert set(invalid) == {2, 3, 4, 5, 6}
    assert "No provider called “Nobody Ltd” is registered" in " ".join(invalid[2]["supplier"])
    assert "initial end date must be after the start date" in " ".join(invalid[3]["initial_end_on"])
    assert "“about £20k” is not an amount in pounds" in " ".join(invalid[4]["annual_value"])
    assert "“1st April” is not a date" in " ".join(invalid[5]["start_on"])
    assert "not a list of options in months" in " ".join(invalid[6]["extension_months"])
    assert Contract.objects.count() == 0
    assert not AuditEvent.objects.filter(action="contracts.contract_created").exists()


def test_a_clean_import_creates_draft_contracts_through_the_service(officer, parties):
    supplier, authority = parties
    result = ContractResource().import_data(_dataset(GOOD), dry_run=False, user=officer)
    assert not result.has_errors() and not result.has_validation_errors()
    contract = Contract.objects.get(reference="AS-ESS")
    assert (contract.supplier, contract.buying_authority, contract.origin) == (supplier, authority, "imported")
    assert (contract.start_on, contract.initial_end_on, contract.current_end_on) == (
        date(2015, 4, 1),
        date(2018, 3, 31),
        date(2018, 3, 31),
    )
    assert contract.is_draft
    assert [o.months for o in contract.extension_options.all()] == [12]
    assert [v.amount for v in contract.year_values.all()] == [Decimal("296973.00")] * 3
    assert AuditEvent.objects.get(action="contracts.contract_created").actor == officer


def test_importing_over_a_live_contract_is_refused(officer, parties):
    supplier, authority = parties
    make_live_contract(by=officer, reference="AS-ESS", supplier=supplier, buying_authority=authority)
    result = ContractResource().import_data(_dataset(GOOD), dry_run=True, user=officer)
    assert result.has_validation_errors()
    assert "is live: change it by recording a variation" in str(result.invalid_rows[0].error_dict)


def test_the_admin_import_previews_errors_without_saving(client, officer, parties):
    client.force_login(officer)
    body = _dataset(
        GOOD,
        [
            "AS-X1",
            "Unknown provider",
            "grant",
            "Nobody Ltd",
            "Avon and Somerset OPCC",
            "2018-04-01",
            "2019-03-31",
            "",
            "1000",
        ],
    ).csv.encode()
    response = client.post(
        "/admin/contracts/contract/import/",
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("register.csv", body, content_type="text/csv"),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "No provider called “Nobody Ltd” is registered" in page
    assert "Confirm import" not in page
    assert Contract.objects.count() == 0


def test_the_register_exports_to_csv_and_xlsx(client, officer, parties):
    supplier, authority = parties
    make_live_contract(
        by=officer,
        reference="AS-ESS",
        title='=HYPERLINK("http://bad")',
        supplier=supplier,
        buying_authority=authority,
        start_on=date(2025, 4, 1),
        annual_value="50000",
        extension_months=[12, 12],
    )
    dataset = ContractResource().export()
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert row["reference"] == "AS-ESS"
    assert row["service"].startswith("'=")  # a formula is exported as text
    assert row["provider"] == "Victim Support"
    assert row["extension_options_months"] == "12+12"
    assert row["total_value"] == "150000.00"
    assert row["status"] in {"Live", "In its final six months", "Ended"}

    client.force_login(officer)
    response = client.post(
        "/admin/contracts/contract/export/",
        {
            "format": "1",
            "resource": "0",
            **{f"contractresource_{name}": "on" for name in ContractResource._meta.export_order},
        },
    )
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(BytesIO(response.content))
    values = [cell.value for cell in workbook.active[2]]
    assert "AS-ESS" in values and "Victim Support" in values
