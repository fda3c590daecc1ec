"""Importing an existing approved list, and the officers' admin for frameworks."""

import pytest
import tablib

from commissioning.models import AuditEvent, User
from frameworks.models import Appointment
from frameworks.resources import AppointmentResource
from tests.factories import make_user
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
