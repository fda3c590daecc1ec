"""The register as a spreadsheet: export to CSV/XLSX, import with a dry-run preview and per-row errors."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissioning.models import AuditEvent, Authority
from contracts.models import Contract
from contracts.resources import ContractResource
from contracts.services import ContractImportError, ImportedContract, import_contracts, spread_annual_value
from tests.factories import make_authority, make_supplier
from tests.factories.contracts import make_contract, make_live_contract

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
    event = AuditEvent.objects.get(action="contracts.imported")  # one event for the whole import
    assert event.actor == officer
    assert (event.data["rows"], event.data["new"], event.data["created_references"]) == (1, 1, ["AS-ESS"])
    assert not AuditEvent.objects.filter(action="contracts.contract_created").exists()


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

    officer.authority = authority  # the admin's export lists what the officer's authority reads
    officer.save()
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


# The bulk import: every row checked in memory, then saved together by `services.import_contracts` -------


def _row(number, reference, supplier, authority, **values) -> ImportedContract:
    spec = {
        "title": f"Service {reference}",
        "kind": Contract.Kind.CONTRACT,
        "start_on": date(2025, 4, 1),
        "initial_end_on": date(2028, 3, 31),
        "extension_months": (12, 12),
        "annual_value": Decimal("125000.00"),
    }
    spec.update(values)
    return ImportedContract(number=number, reference=reference, supplier=supplier, buying_authority=authority, **spec)


def test_the_import_service_creates_drafts_with_their_options_and_values_and_one_audit_event(officer, parties):
    supplier, authority = parties
    rows = [
        _row(1, "IMP-1", supplier, authority),
        _row(
            2,
            "IMP-2",
            supplier,
            authority,
            kind=Contract.Kind.GRANT,
            start_on=date(2025, 10, 1),
            initial_end_on=date(2026, 9, 30),
            extension_months=(),
            annual_value=Decimal("36500"),
        ),
        _row(3, "IMP-3", supplier, authority, annual_value=None),
    ]
    outcome = import_contracts(by=officer, rows=rows)

    assert [c.reference for c in outcome.created] == ["IMP-1", "IMP-2", "IMP-3"] and not outcome.updated
    first = Contract.objects.get(reference="IMP-1")
    assert outcome.contracts[1] == first
    assert (first.origin, first.is_draft, first.current_end_on) == ("imported", True, date(2028, 3, 31))
    assert [(o.sequence, o.months) for o in first.extension_options.all()] == [(1, 12), (2, 12)]
    assert {v.financial_year: v.amount for v in first.year_values.all()} == {
        2025: Decimal("125000.00"),
        2026: Decimal("125000.00"),
        2027: Decimal("125000.00"),
    }
    grant = Contract.objects.get(reference="IMP-2")  # a part-year term: each year's share of the days
    expected = spread_annual_value(date(2025, 10, 1), date(2026, 9, 30), Decimal("36500"))
    assert {v.financial_year: v.amount for v in grant.year_values.all()} == expected
    assert not grant.extension_options.exists()
    assert not Contract.objects.get(reference="IMP-3").year_values.exists()

    history = list(first.history.all())
    assert [(h.history_type, h.history_user) for h in history] == [("+", officer)]
    event = AuditEvent.objects.get(action="contracts.imported")
    assert event.actor == officer
    assert (event.data["rows"], event.data["new"], event.data["updated"]) == (3, 3, 0)
    assert event.data["created_references"] == ["IMP-1", "IMP-2", "IMP-3"]
    assert Decimal(event.data["total_value_created"]) == Decimal("375000.00") + sum(expected.values())
    assert not AuditEvent.objects.filter(action="contracts.contract_created").exists()


def test_the_import_service_updates_an_existing_draft_as_update_contract_does(officer, parties):
    supplier, authority = parties
    draft = make_contract(
        by=officer,
        reference="IMP-1",
        supplier=supplier,
        buying_authority=authority,
        start_on=date(2025, 4, 1),
        initial_end_on=date(2027, 3, 31),
        extension_months=[6],
        annual_value="1000",
    )
    rows = [_row(1, "IMP-1", supplier, authority, title="Renamed service")]
    outcome = import_contracts(by=officer, rows=rows)

    assert outcome.updated == [draft] and not outcome.created
    draft.refresh_from_db()
    assert (draft.title, draft.initial_end_on, draft.current_end_on) == (
        "Renamed service",
        date(2028, 3, 31),
        date(2028, 3, 31),
    )
    assert [o.months for o in draft.extension_options.all()] == [6]  # an existing draft keeps its options
    assert {v.financial_year: v.amount for v in draft.year_values.all()} == {
        2025: Decimal("125000.00"),
        2026: Decimal("125000.00"),
        2027: Decimal("125000.00"),
    }
    assert draft.history.first().history_type == "~"
    event = AuditEvent.objects.get(action="contracts.imported")
    assert (event.data["new"], event.data["updated"], event.data["updated_references"]) == (0, 1, ["IMP-1"])
    changes = event.data["changes"]["IMP-1"]
    assert changes["after"] == {"title": "Renamed service", "initial_end_on": "2028-03-31"}
    assert changes["year_values"] == {"2025": "125000.00", "2026": "125000.00", "2027": "125000.00"}


def test_the_import_service_saves_nothing_when_any_row_breaks_a_rule(officer, parties):
    supplier, authority = parties
    make_live_contract(by=officer, reference="LIVE-1", supplier=supplier, buying_authority=authority)
    rows = [
        _row(1, "IMP-1", supplier, authority),
        _row(2, "IMP-2", supplier, authority, initial_end_on=date(2025, 4, 1)),
        _row(3, "LIVE-1", supplier, authority),
        _row(4, "IMP-1", supplier, authority),
        _row(5, "IMP-5", supplier, authority, annual_value=Decimal("10000000000")),
    ]
    with pytest.raises(ContractImportError) as raised:
        import_contracts(by=officer, rows=rows)

    errors = {number: " ".join(error.messages) for number, error in raised.value.row_errors.items()}
    assert sorted(errors) == [2, 3, 4, 5]
    assert "The initial end date must be after the start date" in errors[2]
    assert "LIVE-1 is live: change it by recording a variation" in errors[3]
    assert "Row 1 already has the reference IMP-1" in errors[4]
    assert "less than £10,000,000,000" in errors[5]
    assert raised.value.row_errors[2].message_dict == {
        "initial_end_on": ["The initial end date must be after the start date"]
    }
    assert not Contract.objects.filter(reference__startswith="IMP-").exists()
    assert not AuditEvent.objects.filter(action="contracts.imported").exists()


def test_a_real_import_with_a_bad_row_saves_nothing(officer, parties):
    bad = [*GOOD]
    bad[0], bad[6] = "AS-BAD", "2014-03-31"
    result = ContractResource().import_data(_dataset(GOOD, bad), dry_run=False, user=officer)

    assert [row.number for row in result.invalid_rows] == [2]
    assert not Contract.objects.exists()
    assert not AuditEvent.objects.filter(action="contracts.imported").exists()


def test_a_dry_run_reports_a_reference_given_twice_against_the_second_row(officer, parties):
    result = ContractResource().import_data(_dataset(GOOD, GOOD), dry_run=True, user=officer)

    invalid = {row.number: row.error_dict for row in result.invalid_rows}
    assert list(invalid) == [2]
    assert "Row 1 already has the reference AS-ESS" in " ".join(invalid[2]["reference"])
    assert not Contract.objects.exists()


def test_an_import_updates_an_existing_draft_and_previews_the_rows_values(officer, parties):
    supplier, authority = parties
    draft = make_contract(
        by=officer, reference="AS-ESS", supplier=supplier, buying_authority=authority, start_on=date(2015, 4, 1)
    )
    preview = ContractResource().import_data(_dataset(GOOD), dry_run=True, user=officer)
    assert [row.import_type for row in preview.rows] == ["update"]
    values = dict(zip(preview.diff_headers, preview.rows[0].diff, strict=True))
    assert (values["reference"], values["annual_value"]) == ("AS-ESS", "£296,973")

    result = ContractResource().import_data(_dataset(GOOD), dry_run=False, user=officer)
    assert result.totals["update"] == 1 and not result.has_validation_errors()
    draft.refresh_from_db()
    assert (draft.title, draft.initial_end_on) == ("Emotional Support Service", date(2018, 3, 31))
    assert result.rows[0].object_id == draft.pk


def test_reading_more_rows_costs_no_more_queries(officer, parties):
    """Lookups are read once per import, and the rows are saved in bulk: no query per row."""

    def queries_for(count):
        rows = [[f"IMP-{i:03d}", *GOOD[1:]] for i in range(count)]
        with CaptureQueriesContext(connection) as captured:
            result = ContractResource().import_data(_dataset(*rows), dry_run=True, user=officer)
        assert result.totals["new"] == count
        return len(captured.captured_queries)

    assert queries_for(30) == queries_for(3)


def test_the_admin_import_confirmed_saves_the_rows_and_logs_each_one(client, officer, parties):
    import re

    from django.contrib.admin.models import ADDITION, LogEntry

    client.force_login(officer)
    body = _dataset(GOOD, ["AS-2", *GOOD[1:]]).csv.encode()
    preview = client.post(
        "/admin/contracts/contract/import/",
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("register.csv", body)},
    )
    page = preview.content.decode()
    assert "Confirm import" in page
    confirm = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    response = client.post("/admin/contracts/contract/process_import/", confirm)

    assert response.status_code == 302
    contracts = list(Contract.objects.order_by("reference"))
    assert [c.reference for c in contracts] == ["AS-2", "AS-ESS"]
    logged = LogEntry.objects.filter(action_flag=ADDITION, content_type__model="contract")
    assert sorted(int(entry.object_id) for entry in logged) == sorted(c.pk for c in contracts)
    assert AuditEvent.objects.filter(action="contracts.imported").count() == 1


def test_updating_more_drafts_costs_no_more_queries(officer, parties):
    supplier, authority = parties

    def queries_for(count):
        drafts = [
            make_contract(by=officer, supplier=supplier, buying_authority=authority, annual_value="1000")
            for _ in range(count)
        ]
        rows = [[draft.reference, "Renamed", *GOOD[2:]] for draft in drafts]
        with CaptureQueriesContext(connection) as captured:
            result = ContractResource().import_data(_dataset(*rows), dry_run=False, user=officer)
        assert result.totals["update"] == count and not result.has_validation_errors()
        return len(captured.captured_queries)

    assert queries_for(30) == queries_for(3)
