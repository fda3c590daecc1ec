"""Selection tells other apps what happened (`frameworks.events`), once the move commits: an application
submitted, an application decided, an appointment made or changed; a refused move tells nobody."""

from __future__ import annotations

import pytest

from commissioning import events
from frameworks import services
from frameworks.events import APPLICATION_DECIDED, APPLICATION_SUBMITTED, APPOINTMENT_CHANGED
from frameworks.models import Appointment
from tests.frameworks.conftest import complete_application, evaluate_fully

pytestmark = pytest.mark.django_db

SELECTION_EVENTS = (APPLICATION_SUBMITTED, APPLICATION_DECIDED, APPOINTMENT_CHANGED)


def test_submission_decision_and_appointments_are_told(selection, django_capture_on_commit_callbacks):
    application = complete_application(selection)
    with events.recorded(*SELECTION_EVENTS) as heard, django_capture_on_commit_callbacks(execute=True):
        services.submit_application(application=application, by=selection.provider)
        services.submit_application(application=application, by=selection.provider)  # a repeated click
    assert heard == [
        (
            "frameworks.application_submitted",
            {"application_id": application.pk, "supplier_id": selection.supplier.pk, "by_id": selection.provider.pk},
        )
    ]

    application = evaluate_fully(selection, application)
    won, lost = application.lot_choices.get(lot=selection.lot1), application.lot_choices.get(lot=selection.lot2)
    with events.recorded(*SELECTION_EVENTS) as heard, django_capture_on_commit_callbacks(execute=True):
        services.decide_lot(choice=won, outcome="appointed", reason="Scored 75%", by=selection.officer)
        with pytest.raises(services.SelectionRuleError):
            services.decide_lot(choice=lost, outcome="unsuccessful", reason=" ", by=selection.officer)
        services.decide_lot(choice=lost, outcome="unsuccessful", reason="Below the minimum", by=selection.officer)
    appointment = Appointment.objects.get(supplier=selection.supplier, lot=selection.lot1)
    assert heard == [
        (
            "frameworks.appointment_changed",
            {
                "appointment_id": appointment.pk,
                "supplier_id": selection.supplier.pk,
                "lot_id": selection.lot1.pk,
                "status": "active",
                "previous_status": None,
                "by_id": selection.officer.pk,
            },
        ),
        (
            "frameworks.application_decided",
            {
                "application_id": application.pk,
                "supplier_id": selection.supplier.pk,
                "by_id": selection.officer.pk,
                "appointed_lot_ids": [selection.lot1.pk],
                "unsuccessful_lot_ids": [selection.lot2.pk],
            },
        ),
    ]

    with events.recorded(*SELECTION_EVENTS) as heard, django_capture_on_commit_callbacks(execute=True):
        services.change_appointment_status(
            appointment=appointment, status="suspended", reason="Safeguarding review", by=selection.officer
        )
    assert heard == [
        (
            "frameworks.appointment_changed",
            {
                "appointment_id": appointment.pk,
                "supplier_id": selection.supplier.pk,
                "lot_id": selection.lot1.pk,
                "status": "suspended",
                "previous_status": "active",
                "by_id": selection.officer.pk,
            },
        )
    ]


def test_an_imported_approved_list_tells_of_each_appointment(selection, django_capture_on_commit_callbacks):
    from datetime import date

    from frameworks.services import ImportedAppointment, import_appointments

    area = tuple(selection.areas[:1])
    rows = [
        ImportedAppointment(2, selection.lot1, selection.supplier.legal_name, area, starts_on=date(2024, 7, 1)),
        ImportedAppointment(3, selection.lot2, "Walsall Refuge", area, starts_on=date(2024, 7, 1)),
    ]
    with events.recorded(APPOINTMENT_CHANGED) as heard, django_capture_on_commit_callbacks(execute=True):
        outcome = import_appointments(by=selection.officer, rows=rows)
    assert sorted(payload["appointment_id"] for _name, payload in heard) == sorted(
        a.pk for a in outcome.appointments.values()
    )
    assert {(payload["status"], payload["previous_status"]) for _name, payload in heard} == {("active", None)}
