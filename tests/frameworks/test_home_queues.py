"""Issue 18: the evaluator's, provider's, partner's and officer's home pages are their to-do lists, built in
a fixed number of queries whatever the data (asserted with 5 and 200 items) and scoped to the user."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning import work_queues
from commissioning.models import User
from frameworks import evaluation, services
from frameworks import work_queues as framework_queues
from frameworks.models import Appointment, HomeVisit
from suppliers.models import Accreditation
from tests.factories import make_authority, make_user
from tests.factories.frameworks import make_application, make_appointment, make_framework, make_lot
from tests.frameworks.conftest import complete_application

pytestmark = pytest.mark.django_db


def home(client, user, name: str) -> str:
    client.force_login(user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


def queries(builder, user) -> int:
    with CaptureQueriesContext(connection) as captured:
        builder(user, timezone.now())
    return len(captured.captured_queries)


# Officer --------------------------------------------------------------------------------------------


def test_a_submitted_application_needs_evaluators_on_the_officers_home(client, selection):
    application = complete_application(selection)
    services.submit_application(application=application, by=selection.provider)

    html = home(client, selection.officer, "officer_home")

    assert 'id="queue-applications"' in html
    assert "Needs evaluators" in html
    assert reverse("frameworks:officer_application", args=[application.pk]) in html
    other = make_user(User.Role.OFFICER)
    assert reverse("frameworks:officer_application", args=[application.pk]) not in home(client, other, "officer_home")


def test_once_scored_by_the_panel_it_is_ready_to_moderate(client, selection):
    application = complete_application(selection)
    services.submit_application(application=application, by=selection.provider)
    evaluation.assign_evaluators(target=application, evaluators=selection.evaluators, by=selection.officer)
    assert "Needs evaluators" not in home(client, selection.officer, "officer_home")


def test_the_applications_queue_reads_the_same_queries_with_5_or_200(selection):
    lots = [selection.lot2]
    for _ in range(5):
        make_application(selection.window, lots=lots, status="submitted", submitted_at=timezone.now())
    few = queries(framework_queues.applications_to_progress, selection.officer)
    for _ in range(195):
        make_application(selection.window, lots=lots, status="submitted", submitted_at=timezone.now())
    assert work_queues.queues_for("officer", selection.officer)  # something to show
    assert queries(framework_queues.applications_to_progress, selection.officer) == few


# Evaluator ------------------------------------------------------------------------------------------


def test_the_evaluators_tasks_not_started_come_first_with_their_dates(client, selection):
    first = complete_application(selection)
    services.submit_application(application=first, by=selection.provider)
    evaluation.assign_evaluators(target=first, evaluators=selection.evaluators, by=selection.officer)
    evaluator = selection.evaluators[0]
    started = first.assignments.get(evaluator=evaluator)
    evaluation.declare_conflict(assignment=started, has_conflict=False, details="", by=evaluator)
    other = make_user(User.Role.PROVIDER)
    Accreditation.objects.create(
        supplier=other.supplier_membership.supplier, scheme="safelives", reference="SL-2", expires_on=date(2030, 1, 1)
    )
    second = complete_application(selection, supplier_user=other)
    services.submit_application(application=second, by=other)
    evaluation.assign_evaluators(target=second, evaluators=selection.evaluators, by=selection.officer)
    fresh = second.assignments.get(evaluator=evaluator)

    html = home(client, evaluator, "evaluator_home")

    queue = html[html.index('id="queue-application-tasks"') :]
    assert queue.index(reverse("frameworks:evaluate", args=[fresh.pk])) < queue.index(
        reverse("frameworks:evaluate", args=[started.pk])
    )
    assert "Not started" in queue and "In progress" in queue and "Assigned at" in queue
    # Another evaluator sees neither.
    assert 'id="queue-application-tasks"' in home(client, make_user(User.Role.EVALUATOR), "evaluator_home")
    assert reverse("frameworks:evaluate", args=[fresh.pk]) not in home(
        client, make_user(User.Role.EVALUATOR), "evaluator_home"
    )


def test_the_evaluators_queue_reads_the_same_queries_with_5_or_200(selection):
    evaluator = selection.evaluators[0]

    def assign(n):
        for _ in range(n):
            application = make_application(
                selection.window, lots=[selection.lot2], status="submitted", submitted_at=timezone.now()
            )
            application.assignments.create(evaluator=evaluator, assigned_by=selection.officer)

    assign(5)
    few = queries(framework_queues.evaluator_tasks, evaluator)
    assign(195)
    assert queries(framework_queues.evaluator_tasks, evaluator) == few


# Provider -------------------------------------------------------------------------------------------


def test_the_provider_sees_open_windows_and_an_expiring_accreditation(client, selection):
    Accreditation.objects.filter(supplier=selection.supplier).update(
        expires_on=timezone.localdate() + timedelta(days=30)
    )
    html = home(client, selection.provider, "provider_home")
    assert 'id="queue-open-windows"' in html and selection.framework.title in html
    assert 'id="queue-expiring"' in html and "SafeLives" in html and "Expiring soon" in html
    other = make_user(User.Role.PROVIDER)
    assert 'id="queue-expiring"' not in home(client, other, "provider_home")


def test_the_providers_home_is_refused_to_others(client, selection):
    client.force_login(selection.officer)
    assert client.get(reverse("provider_home")).status_code == 403


# Partner --------------------------------------------------------------------------------------------


def shared_setup():
    partner_authority = make_authority(kind="local_authority", name="Coventry City Council")
    partner = make_user(User.Role.PARTNER, authority=partner_authority)
    framework = make_framework(partners=[partner_authority], term_end=date(2035, 3, 31))
    lot = make_lot(framework)
    return partner, lot


def test_the_partner_sees_suppliers_added_or_changed_since_their_last_visit(client):
    partner, lot = shared_setup()
    appointment = make_appointment(lot)

    html = home(client, partner, "partner_home")
    assert 'id="queue-supplier-changes"' in html
    assert appointment.supplier.legal_name in html and "Added" in html
    visit = HomeVisit.objects.get(user=partner)

    # Reloading is the same visit: what changed stays listed.
    assert appointment.supplier.legal_name in home(client, partner, "partner_home")

    # A later visit: nothing new since (the appointment was made before the last visit).
    Appointment.history.update(history_date=timezone.now() - timedelta(hours=3))
    HomeVisit.objects.filter(pk=visit.pk).update(seen_at=timezone.now() - timedelta(hours=2))
    html = home(client, partner, "partner_home")
    assert "No suppliers have been added or changed since your last visit" in html

    # A change after it is listed at the next visit.
    Appointment.objects.get(pk=appointment.pk).save()  # a change recorded in the history
    HomeVisit.objects.filter(pk=visit.pk).update(seen_at=timezone.now() - timedelta(hours=1))
    html = home(client, partner, "partner_home")
    assert appointment.supplier.legal_name in html and "Changed" in html


def test_a_partner_of_another_authority_sees_none_of_it(client):
    _, lot = shared_setup()
    appointment = make_appointment(lot)
    other = make_user(User.Role.PARTNER)
    assert appointment.supplier.legal_name not in home(client, other, "partner_home")


def test_the_partners_queue_reads_the_same_queries_with_5_or_200():
    partner, lot = shared_setup()
    for _ in range(5):
        make_appointment(lot)
    few = queries(framework_queues.partner_changes, partner)
    for _ in range(195):
        make_appointment(lot)
    assert queries(framework_queues.partner_changes, partner) == few


def test_a_supplier_suspended_since_the_last_visit_is_listed_as_no_longer_on_the_list(client):
    partner, lot = shared_setup()
    officer = make_user(User.Role.OFFICER, authority=lot.framework.lead_authority)
    kept, suspended = make_appointment(lot), make_appointment(lot)
    Appointment.history.update(history_date=timezone.now() - timedelta(hours=3))
    HomeVisit.objects.create(user=partner, seen_at=timezone.now() - timedelta(hours=2))

    services.change_appointment_status(
        appointment=suspended, status=Appointment.Status.SUSPENDED, reason="Insurance lapsed", by=officer
    )
    html = home(client, partner, "partner_home")

    queue = html[html.index('id="queue-supplier-changes"') :]
    assert suspended.supplier.legal_name in queue and "Suspended" in queue
    assert "No longer on the list: do not call off from this supplier" in queue
    assert kept.supplier.legal_name not in queue
    # Added and suspended since the last visit: never seen on the list, so no news.
    fleeting = make_appointment(lot)
    services.change_appointment_status(
        appointment=fleeting, status=Appointment.Status.REMOVED, reason="Appointed in error", by=officer
    )
    HomeVisit.objects.filter(user=partner).update(seen_at=timezone.now() - timedelta(hours=2))
    html = home(client, partner, "partner_home")
    assert fleeting.supplier.legal_name not in html
