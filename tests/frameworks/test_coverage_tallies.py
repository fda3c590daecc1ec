"""The coverage matrix's appointee tallies are recounted by every service that changes an appointment and equal
a full recount after each move; rows written behind the services are found by `rebuild_coverage_tallies
--check` and put right by the command; the matrix counts from the tallies what it counted from the
appointments (current appointees, and for a partner only those who agreed to share)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from contracts.coverage import coverage_matrix
from frameworks import coverage_tallies, services, setup
from frameworks.models import AppointeeTally, Appointment
from frameworks.services import ImportedAppointment, import_appointments
from tests.factories import make_authority
from tests.frameworks.conftest import complete_application, evaluate_fully

pytestmark = pytest.mark.django_db


def assert_tallies_equal_a_recount() -> None:
    assert coverage_tallies.differing() == set()
    assert coverage_tallies.kept() == coverage_tallies.counted()


def appointees(selection, lot, area, *, partner=None) -> int:
    return coverage_matrix(selection.framework, for_authority=partner).cell(lot, area).appointees


def test_every_move_of_an_appointment_recounts_its_lot(selection):
    birmingham, coventry, dudley = selection.areas
    application = complete_application(selection)
    services.submit_application(application=application, by=selection.provider)
    application = evaluate_fully(selection, application)
    won = application.lot_choices.get(lot=selection.lot1)
    services.decide_lot(choice=won, outcome="appointed", reason="Scored 75%", by=selection.officer)
    appointment = Appointment.objects.get(supplier=selection.supplier, lot=selection.lot1)
    assert_tallies_equal_a_recount()
    chosen = set(won.areas.all())
    for area in selection.areas:
        assert appointees(selection, selection.lot1, area) == (1 if area in chosen else 0)

    services.change_appointment_status(
        appointment=appointment, status="suspended", reason="Safeguarding review", by=selection.officer
    )
    assert_tallies_equal_a_recount()
    assert all(appointees(selection, selection.lot1, area) == 0 for area in selection.areas)

    services.change_appointment_status(appointment=appointment, status="active", reason="Cleared", by=selection.officer)
    assert_tallies_equal_a_recount()

    # Corrected in the admin: other areas, no consent to share, and moved to the other lot.
    appointment.refresh_from_db()
    appointment.consent_share_with_partners = False
    appointment.lot = selection.lot2
    setup.save_appointment(appointment=appointment, by=selection.officer, areas=[dudley])
    assert_tallies_equal_a_recount()
    assert appointees(selection, selection.lot1, dudley) == 0
    assert appointees(selection, selection.lot2, dudley) == 1
    assert appointees(selection, selection.lot2, birmingham) == 0

    appointment.refresh_from_db()
    services.change_appointment_status(appointment=appointment, status="removed", reason="Left", by=selection.officer)
    assert_tallies_equal_a_recount()
    assert AppointeeTally.objects.filter(lot=selection.lot2).count() == 0


def test_an_imported_approved_list_is_counted(selection):
    birmingham, coventry, _ = selection.areas
    rows = [
        ImportedAppointment(
            2, selection.lot1, selection.supplier.legal_name, (birmingham,), starts_on=date(2024, 7, 1)
        ),
        ImportedAppointment(3, selection.lot1, "Walsall Refuge", (birmingham, coventry), starts_on=date(2024, 7, 1)),
    ]
    import_appointments(by=selection.officer, rows=rows)
    assert_tallies_equal_a_recount()
    assert appointees(selection, selection.lot1, birmingham) == 2
    assert appointees(selection, selection.lot1, coventry) == 1


def test_the_matrix_counts_current_appointees_and_for_partners_only_those_who_share(selection):
    birmingham = selection.areas[0]
    partner = make_authority(name="Coventry City Council")
    selection.framework.partner_authorities.add(partner)
    today = timezone.localdate()
    rows = [
        ImportedAppointment(number, selection.lot1, name, (birmingham,), date(2024, 7, 1), True)
        for number, name in [(2, "Sharing Support"), (3, "Private Project"), (4, "Ending Enterprise")]
    ]
    outcome = import_appointments(by=selection.officer, rows=rows)
    private, ending = outcome.appointments[3], outcome.appointments[4]
    private.consent_share_with_partners = False
    setup.save_appointment(appointment=private, by=selection.officer, areas=[birmingham])
    ending.ends_on = today
    setup.save_appointment(appointment=ending, by=selection.officer, areas=[birmingham])
    assert_tallies_equal_a_recount()

    assert appointees(selection, selection.lot1, birmingham) == 3
    assert appointees(selection, selection.lot1, birmingham, partner=partner) == 2
    tomorrow = coverage_matrix(selection.framework, today=today + timedelta(days=1))
    assert tomorrow.cell(selection.lot1, birmingham).appointees == 2  # the ended appointment no longer counts
    after_the_term = coverage_matrix(selection.framework, today=selection.framework.term_end + timedelta(days=1))
    assert after_the_term.cell(selection.lot1, birmingham).appointees == 0


def test_rows_written_behind_the_services_are_found_and_put_right(selection, capsys):
    birmingham = selection.areas[0]
    appointment = Appointment.objects.create(
        supplier=selection.supplier, lot=selection.lot1, starts_on=date(2025, 7, 1), consent_share_with_partners=True
    )
    appointment.areas.set([birmingham])
    assert appointees(selection, selection.lot1, birmingham) == 0  # the matrix reads the tallies
    with pytest.raises(SystemExit):
        call_command("rebuild_coverage_tallies", "--check")
    differing = "1 appointee tallies, 1 shared supplier tallies, 0 live contract tallies and 0 contract term tallies"
    assert differing in capsys.readouterr().out

    call_command("rebuild_coverage_tallies")
    assert appointees(selection, selection.lot1, birmingham) == 1
    call_command("rebuild_coverage_tallies", "--check")
    assert "The coverage tallies equal a full recount" in capsys.readouterr().out


def test_the_partners_home_counts_each_shared_supplier_once_while_any_of_its_appointments_lasts(selection):
    """A supplier on two lots with different ends counts once, until the later end; suspending one of its
    appointments leaves it counted through the other; a supplier that does not share is not counted; the
    count follows from the kept tallies, which equal a full recount after every move."""
    from commissioning.models import User
    from frameworks.partner_selectors import shared_frameworks
    from tests.factories import make_user

    birmingham = selection.areas[0]
    partner = make_authority(name="Coventry City Council")
    selection.framework.partner_authorities.add(partner)
    partner_user = make_user(User.Role.PARTNER, authority=partner)
    today = timezone.localdate()
    rows = [
        ImportedAppointment(2, selection.lot1, "Two Lots Trust", (birmingham,), date(2024, 7, 1), True),
        ImportedAppointment(3, selection.lot2, "Two Lots Trust", (birmingham,), date(2024, 7, 1), True),
        ImportedAppointment(4, selection.lot1, "Private Project", (birmingham,), date(2024, 7, 1), True),
    ]
    outcome = import_appointments(by=selection.officer, rows=rows)
    on_lot1, on_lot2, private = outcome.appointments[2], outcome.appointments[3], outcome.appointments[4]
    private.consent_share_with_partners = False
    setup.save_appointment(appointment=private, by=selection.officer, areas=[birmingham])
    on_lot1.ends_on = today + timedelta(days=10)
    setup.save_appointment(appointment=on_lot1, by=selection.officer, areas=[birmingham])
    on_lot2.ends_on = today + timedelta(days=20)
    setup.save_appointment(appointment=on_lot2, by=selection.officer, areas=[birmingham])
    assert_tallies_equal_a_recount()

    def shared_on(day) -> int:
        return shared_frameworks(partner_user, today=day).get(pk=selection.framework.pk).shared_supplier_count

    assert shared_on(today) == 1  # one supplier, however many lots
    assert shared_on(today + timedelta(days=15)) == 1  # its lot 2 appointment still lasts
    assert shared_on(today + timedelta(days=21)) == 0

    services.change_appointment_status(appointment=on_lot2, status="suspended", reason="Review", by=selection.officer)
    assert_tallies_equal_a_recount()
    assert shared_on(today) == 1  # still appointed on lot 1
    assert shared_on(today + timedelta(days=15)) == 0
