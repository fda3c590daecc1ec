"""Importing an existing approved list, and the officers' admin for frameworks."""

from datetime import date

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissioning.models import AuditEvent, User
from frameworks.models import Appointment
from frameworks.partner_selectors import appointment_history
from frameworks.resources import AppointmentResource
from suppliers.models import Supplier
from tests.factories import make_supplier, make_user
from tests.factories.frameworks import make_appointment

pytestmark = pytest.mark.django_db

HEADERS = ["framework_reference", "lot_number", "supplier", "areas", "starts_on", "share_with_partners", "publish"]


def dataset(rows):
    return tablib.Dataset(*rows, headers=HEADERS)


def test_a_dry_run_reports_each_bad_row_and_saves_nothing(selection):
    ref = selection.framework.reference
    rows = [
        (ref, 1, "Tipton Safe Homes", "Birmingham; Coventry", "2024-07-01", "1", "1"),
        (ref, 9, "No Such Lot Ltd", "Birmingham", "2024-07-01", "1", "0"),
        (ref, 2, "Dudley Survivors Network", "Atlantis", "2024-07-01", "1", "0"),
        (ref, 2, "Sandwell Haven", "Dudley", "1 July 2024", "1", "0"),
    ]
    result = AppointmentResource(user=selection.officer).import_data(dataset(rows), dry_run=True)
    errors = {number: " ".join(str(e.error) for e in errs) for number, errs in result.row_errors()}
    validation = {row.number: str(row.error_dict) for row in result.invalid_rows}
    problems = {**errors, **validation}
    assert sorted(problems) == [2, 3, 4]
    assert "No lot 9" in problems[2]
    assert "Unknown area: Atlantis" in problems[3]
    assert "starts_on" in problems[4] or "date" in problems[4].lower()
    assert Appointment.objects.count() == 0


def test_a_clean_file_imports_appointments_with_their_history(selection):
    ref = selection.framework.reference
    rows = [
        (ref, 1, "Tipton Safe Homes", "Birmingham; Coventry", "2024-07-01", "1", "1"),
        (ref, 2, "Tipton Safe Homes", "Dudley", "2024-07-01", "0", "0"),
    ]
    result = AppointmentResource(user=selection.officer).import_data(dataset(rows), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    appointments = Appointment.objects.order_by("lot__number")
    assert [a.supplier.legal_name for a in appointments] == ["Tipton Safe Homes"] * 2
    assert sorted(appointments[0].areas.values_list("name", flat=True)) == ["Birmingham", "Coventry"]
    assert appointments[1].consent_share_with_partners is False
    assert appointments[0].history.first().history_change_reason == "Imported from an existing approved list"
    assert AuditEvent.objects.filter(action="appointments.imported").exists()


def test_the_approved_list_exports_what_is_stored(selection):
    make_appointment(selection.lot1, selection.supplier, areas=selection.areas[:2])
    exported = AppointmentResource().export(Appointment.objects.all())
    row = dict(zip(exported.headers, exported[0], strict=True))
    assert row["supplier"] == selection.supplier.legal_name
    assert row["lot_number"] == "1" or row["lot_number"] == 1
    assert "Birmingham" in row["areas"]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/frameworks/framework/",
        "/admin/frameworks/framework/add/",
        "/admin/frameworks/lot/",
        "/admin/frameworks/selectionquestion/",
        "/admin/frameworks/applicationwindow/add/",
        "/admin/frameworks/application/",
        "/admin/frameworks/appointment/",
        "/admin/frameworks/appointment/import/",
        "/admin/suppliers/supplier/",
        "/admin/suppliers/accreditation/",
    ],
)
def test_officers_work_in_the_framework_admin(client, selection, path):
    client.force_login(selection.officer)
    assert client.get(path).status_code == 200


def test_evaluators_and_providers_cannot_use_the_admin(client, selection):
    for role in (User.Role.EVALUATOR, User.Role.PROVIDER, User.Role.PARTNER):
        client.force_login(make_user(role))
        assert client.get("/admin/frameworks/framework/").status_code == 302


def test_draft_applications_stay_out_of_the_admin(client, selection):
    from tests.frameworks.conftest import complete_application

    application = complete_application(selection)
    client.force_login(selection.officer)
    assert client.get(f"/admin/frameworks/application/{application.pk}/change/").status_code == 302


# The bulk import: every row checked in memory, then saved together by `services.import_appointments` -----


def _imported(selection, number, lot, name, areas, **values):
    from frameworks.services import ImportedAppointment

    return ImportedAppointment(
        number=number,
        lot=lot,
        supplier_name=name,
        areas=tuple(areas),
        starts_on=values.pop("starts_on", date(2024, 7, 1)),
        **values,
    )


def test_the_import_service_saves_every_row_with_a_history_record_each_and_one_audit_event(selection):
    from frameworks.services import IMPORT_CHANGE_REASON, import_appointments

    birmingham, coventry, dudley = selection.areas
    rows = [
        _imported(selection, 2, selection.lot1, selection.supplier.legal_name.upper(), [birmingham, coventry]),
        _imported(selection, 3, selection.lot2, selection.supplier.legal_name, [dudley], consent_publish=True),
        _imported(selection, 4, selection.lot1, "  Walsall Refuge  ", [dudley], consent_share_with_partners=True),
    ]
    outcome = import_appointments(by=selection.officer, rows=rows)

    assert len(outcome.created) == 3 and not outcome.updated
    new_supplier = Supplier.objects.get(legal_name="Walsall Refuge")  # registered, as a row-by-row import did
    assert new_supplier.kind == Supplier.Kind.OTHER
    assert [s.pk for s in outcome.new_suppliers] == [new_supplier.pk]
    first = Appointment.objects.get(lot=selection.lot1, supplier=selection.supplier)
    assert outcome.appointments[2] == first  # the supplier's name matched whatever its case
    assert sorted(first.areas.values_list("name", flat=True)) == ["Birmingham", "Coventry"]
    assert (first.starts_on, first.status) == (date(2024, 7, 1), Appointment.Status.ACTIVE)
    walsall = Appointment.objects.get(supplier=new_supplier)
    assert (walsall.consent_share_with_partners, walsall.consent_publish) == (True, False)

    history = list(first.history.all())
    assert len(history) == 1
    assert (history[0].history_type, history[0].history_user, history[0].history_change_reason) == (
        "+",
        selection.officer,
        IMPORT_CHANGE_REASON,
    )
    assert sorted(history[0].areas.values_list("area__name", flat=True)) == ["Birmingham", "Coventry"]
    entries = appointment_history(first)  # the approved list's history page reads the areas back
    assert [(e.event, e.areas) for e in entries] == [("Appointed", ["Birmingham", "Coventry"])]

    event = AuditEvent.objects.get(action="appointments.imported")
    assert event.actor == selection.officer
    assert (event.data["rows"], event.data["new"], event.data["updated"]) == (3, 3, 0)
    assert event.data["suppliers_registered"] == ["Walsall Refuge"]
    assert AuditEvent.objects.filter(action__startswith="appointment").count() == 1


def test_the_import_service_updates_an_appointment_already_on_the_lot_keeping_its_status(selection):
    from frameworks.services import import_appointments

    birmingham, coventry, dudley = selection.areas
    existing = make_appointment(
        selection.lot1,
        selection.supplier,
        areas=[birmingham, coventry],
        status=Appointment.Status.SUSPENDED,
        consent_publish=True,
    )
    before = existing.history.count()
    rows = [_imported(selection, 2, selection.lot1, selection.supplier.legal_name, [coventry, dudley])]
    outcome = import_appointments(by=selection.officer, rows=rows)

    assert outcome.updated == [existing] and not outcome.created
    existing.refresh_from_db()
    assert existing.status == Appointment.Status.SUSPENDED
    assert (existing.starts_on, existing.consent_publish) == (date(2024, 7, 1), False)
    assert sorted(existing.areas.values_list("name", flat=True)) == ["Coventry", "Dudley"]
    assert existing.history.count() == before + 1
    latest = existing.history.first()
    assert latest.history_type == "~"
    assert sorted(latest.areas.values_list("area__name", flat=True)) == ["Coventry", "Dudley"]
    assert AuditEvent.objects.get(action="appointments.imported").data["updated"] == 1


def test_the_import_service_saves_nothing_when_any_row_breaks_a_rule(selection):
    from frameworks.services import ImportRowsError, import_appointments

    birmingham = selection.areas[0]
    rows = [
        _imported(selection, 2, selection.lot1, "Walsall Refuge", [birmingham]),
        _imported(selection, 3, selection.lot2, "Sandwell Haven", []),
        _imported(selection, 4, selection.lot1, "WALSALL REFUGE", [birmingham]),
    ]
    with pytest.raises(ImportRowsError) as raised:
        import_appointments(by=selection.officer, rows=rows)

    assert sorted(raised.value.row_errors) == [3, 4]
    assert "Give at least one area" in " ".join(raised.value.row_errors[3].messages)
    assert "Row 2 already puts WALSALL REFUGE on lot 1" in " ".join(raised.value.row_errors[4].messages)
    assert not Appointment.objects.exists()
    assert not Supplier.objects.filter(legal_name__in=["Walsall Refuge", "Sandwell Haven"]).exists()
    assert not AuditEvent.objects.filter(action="appointments.imported").exists()


def test_a_real_import_with_a_bad_row_saves_nothing(selection):
    ref = selection.framework.reference
    rows = [
        (ref, 1, "Walsall Refuge", "Birmingham", "2024-07-01", "1", "1"),
        (ref, 2, "Walsall Refuge", "Atlantis", "2024-07-01", "1", "1"),
    ]
    result = AppointmentResource(user=selection.officer).import_data(dataset(rows), dry_run=False)

    assert [row.number for row in result.invalid_rows] == [2]  # numbered from the first row under the headings
    assert not Appointment.objects.exists()
    assert not Supplier.objects.filter(legal_name="Walsall Refuge").exists()
    assert not AuditEvent.objects.filter(action="appointments.imported").exists()


def test_a_dry_run_reports_a_supplier_given_twice_on_a_lot_against_the_second_row(selection):
    ref = selection.framework.reference
    rows = [
        (ref, 1, "Walsall Refuge", "Birmingham", "2024-07-01", "1", "1"),
        (ref, 2, "Walsall Refuge", "Dudley", "2024-07-01", "1", "1"),
        (ref, 1, "walsall refuge", "Coventry", "2024-07-01", "1", "1"),
    ]
    result = AppointmentResource(user=selection.officer).import_data(dataset(rows), dry_run=True)

    invalid = {row.number: str(row.error_dict) for row in result.invalid_rows}
    assert list(invalid) == [3]
    assert "Row 1 already puts walsall refuge on lot 1" in invalid[3]
    assert not Supplier.objects.filter(legal_name__iexact="Walsall Refuge").exists()


def test_a_dry_run_previews_each_rows_values_and_saves_nothing(selection):
    ref = selection.framework.reference
    make_appointment(selection.lot2, selection.supplier, areas=selection.areas[:1])
    rows = [
        (ref, 1, "Walsall Refuge", "Birmingham; Coventry", "2024-07-01", "1", "0"),
        (ref, 2, selection.supplier.legal_name, "Dudley", "2024-07-01", "0", "0"),
    ]
    result = AppointmentResource(user=selection.officer).import_data(dataset(rows), dry_run=True)

    assert not result.has_errors() and not result.has_validation_errors()
    preview = [(row.import_type, dict(zip(result.diff_headers, row.diff, strict=True))) for row in result.rows]
    assert [(kind, values["supplier"], values["areas"]) for kind, values in preview] == [
        ("new", "Walsall Refuge", "Birmingham; Coventry"),
        ("update", selection.supplier.legal_name, "Dudley"),
    ]
    assert Appointment.objects.count() == 1
    assert not Supplier.objects.filter(legal_name="Walsall Refuge").exists()
    assert not AuditEvent.objects.filter(action="appointments.imported").exists()


def test_reading_more_rows_costs_no_more_queries(selection):
    """Lookups are read once per import, and the rows are saved in bulk: no query per row."""
    ref = selection.framework.reference

    def queries_for(count):
        rows = [
            (ref, i % 2 + 1, f"Provider {i // 2}", "Birmingham; Coventry", "2024-07-01", "1", "1") for i in range(count)
        ]
        with CaptureQueriesContext(connection) as captured:
            result = AppointmentResource(user=selection.officer).import_data(dataset(rows), dry_run=True)
        assert result.totals["new"] == count
        return len(captured.captured_queries)

    assert queries_for(60) == queries_for(6)


def test_the_admin_import_confirmed_saves_the_rows_and_logs_each_one(client, selection):
    import re

    from django.contrib.admin.models import ADDITION, LogEntry
    from django.core.files.uploadedfile import SimpleUploadedFile

    ref = selection.framework.reference
    rows = [
        (ref, 1, "Walsall Refuge", "Birmingham; Coventry", "2024-07-01", "1", "1"),
        (ref, 2, selection.supplier.legal_name, "Dudley", "2024-07-01", "1", "0"),
    ]
    client.force_login(selection.officer)
    preview = client.post(
        "/admin/frameworks/appointment/import/",
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("list.csv", dataset(rows).csv.encode())},
    )
    page = preview.content.decode()
    assert "Confirm import" in page and "Walsall Refuge" in page
    confirm = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    response = client.post("/admin/frameworks/appointment/process_import/", confirm)

    assert response.status_code == 302
    appointments = list(Appointment.objects.all())
    assert len(appointments) == 2
    assert Supplier.objects.filter(legal_name="Walsall Refuge").exists()
    logged = LogEntry.objects.filter(action_flag=ADDITION, content_type__model="appointment")
    assert sorted(int(entry.object_id) for entry in logged) == sorted(a.pk for a in appointments)
    event = AuditEvent.objects.get(action="appointments.imported")
    assert (event.actor, event.data["new"]) == (selection.officer, 2)


def test_updating_more_appointments_costs_no_more_queries(selection):
    ref = selection.framework.reference

    def queries_for(count):
        suppliers = [make_supplier() for _ in range(count)]
        for supplier in suppliers:
            make_appointment(selection.lot1, supplier, areas=selection.areas[:1])
        rows = [(ref, 1, s.legal_name, "Coventry", "2024-07-01", "1", "1") for s in suppliers]
        with CaptureQueriesContext(connection) as captured:
            result = AppointmentResource(user=selection.officer).import_data(dataset(rows), dry_run=False)
        assert result.totals["update"] == count
        return len(captured.captured_queries)

    assert queries_for(30) == queries_for(3)
