"""The officer's side of the shared list: the whole approved list with its export, and the history of
each appointment (when appointed, suspended, reinstated or removed, by whom and why)."""

from __future__ import annotations

import pytest

from commissioning.models import Authority, User
from frameworks.models import Appointment
from frameworks.partner_selectors import officer_approved_list
from tests.factories import make_area, make_authority, make_supplier, make_user
from tests.factories.frameworks import make_appointment, make_framework, make_lot
from tests.frameworks.test_partner_list import csv_rows, file_pairs, screen_rows, xlsx_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(db):
    lead = make_authority(kind=Authority.Kind.OPCC, is_lead_commissioner=True)
    partner_authority = make_authority()
    framework = make_framework(lead_authority=lead, partners=[partner_authority])
    lot = make_lot(framework, title="Advocacy")
    area = make_area(name="Eastwood", code="eastwood")
    officer = make_user(User.Role.OFFICER, authority=lead, full_name="Olive Officer")
    active = make_appointment(lot, make_supplier(legal_name="Active Aid"), areas=[area])
    private = make_appointment(lot, make_supplier(legal_name="Private Practice"), consent_share_with_partners=False)
    suspended = make_appointment(
        lot,
        make_supplier(legal_name="Suspended Services"),
        status=Appointment.Status.SUSPENDED,
        status_reason="Safeguarding review",
    )
    return {
        "framework": framework,
        "lot": lot,
        "area": area,
        "officer": officer,
        "active": active,
        "private": private,
        "suspended": suspended,
        "partner_authority": partner_authority,
    }


def officer_url(framework, suffix: str = "") -> str:
    return f"/officer/approved-lists/{framework.reference}/{suffix}"


def test_officer_sees_every_appointment_with_status_and_consent(client, setup):
    client.force_login(setup["officer"])
    response = client.get(officer_url(setup["framework"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert [name for name, _ in screen_rows(html)] == ["Active Aid", "Private Practice", "Suspended Services"]
    assert "Shared with partners: no" in html
    assert f"/officer/appointments/{setup['active'].pk}/history/" in html


def test_officer_filters_by_status_and_the_export_holds_the_same_rows(client, setup):
    client.force_login(setup["officer"])
    query = "status=suspended"
    html = client.get(officer_url(setup["framework"], f"?{query}")).content.decode()
    assert screen_rows(html) == [("Suspended Services", 1)]
    rows = csv_rows(client.get(officer_url(setup["framework"], f"export/csv/?{query}")).content)
    assert file_pairs(rows) == [("Suspended Services", 1)]
    assert rows[0]["Status"] == "Suspended"
    assert rows[0]["Status reason"] == "Safeguarding review"
    assert rows[0]["Consent to share with partners"] == "Yes"
    everything = xlsx_rows(client.get(officer_url(setup["framework"], "export/xlsx/")).content)
    assert file_pairs(everything) == screen_rows(client.get(officer_url(setup["framework"])).content.decode())


def test_officer_of_another_authority_gets_404(client, setup):
    client.force_login(make_user(User.Role.OFFICER))
    assert client.get(officer_url(setup["framework"])).status_code == 404
    assert client.get(officer_url(setup["framework"], "export/csv/")).status_code == 404
    assert client.get(f"/officer/appointments/{setup['active'].pk}/history/").status_code == 404


@pytest.mark.parametrize("role", [User.Role.PARTNER, User.Role.PROVIDER, User.Role.EVALUATOR])
def test_other_roles_are_refused_the_officer_pages(client, setup, role):
    user = make_user(role, authority=setup["partner_authority"]) if role == User.Role.PARTNER else make_user(role)
    client.force_login(user)
    for url in [
        officer_url(setup["framework"]),
        officer_url(setup["framework"], "export/csv/"),
        officer_url(setup["framework"], "export/xlsx/"),
        f"/officer/appointments/{setup['active'].pk}/history/",
    ]:
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_sign_in_from_the_officer_pages(client, setup):
    for url in [officer_url(setup["framework"]), f"/officer/appointments/{setup['active'].pk}/history/"]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/sign-in/")


def test_the_officer_pages_refuse_unsafe_methods(client, setup):
    client.force_login(setup["officer"])
    assert client.post(officer_url(setup["framework"])).status_code == 403
    assert client.post(f"/officer/appointments/{setup['active'].pk}/history/").status_code == 403


def test_appointment_history_shows_who_did_what_when_and_why(client, setup):
    appointment = setup["active"]
    manager = make_user(User.Role.OFFICER, authority=setup["officer"].authority, full_name="Mina Manager")
    other_area = make_area(name="Westbury", code="westbury")

    appointment.status = Appointment.Status.SUSPENDED
    appointment.status_reason = "Insurance certificate expired"
    appointment._history_user = manager
    appointment._change_reason = "Insurance certificate expired"
    appointment.save()
    appointment.areas.add(other_area)

    appointment.status = Appointment.Status.ACTIVE
    appointment.status_reason = "New certificate received"
    appointment._history_user = setup["officer"]
    appointment._change_reason = "New certificate received"
    appointment.save()

    client.force_login(setup["officer"])
    html = client.get(f"/officer/appointments/{appointment.pk}/history/").content.decode()
    assert html.count("<h1") == 1
    events = [line for line in ("Appointed", "Suspended", "Reinstated") if f">{line}</th>" in html]
    assert events == ["Appointed", "Suspended", "Reinstated"]
    # Newest first.
    assert html.index(">Reinstated</th>") < html.index(">Suspended</th>") < html.index(">Appointed</th>")
    assert "Mina Manager" in html and "Olive Officer" in html
    assert "Insurance certificate expired" in html and "New certificate received" in html
    assert "Status: Active to Suspended" in html
    assert "Areas: Eastwood to Eastwood, Westbury" in html


def test_appointment_history_of_a_removal(client, setup):
    appointment = setup["suspended"]
    appointment.status = Appointment.Status.REMOVED
    appointment.status_reason = "Ceased trading"
    appointment._history_user = setup["officer"]
    appointment._change_reason = "Ceased trading"
    appointment.save()
    client.force_login(setup["officer"])
    html = client.get(f"/officer/appointments/{appointment.pk}/history/").content.decode()
    assert ">Removed</th>" in html and "Ceased trading" in html and "Olive Officer" in html


def test_pages_of_the_officers_list_run_on_across_the_status_groups(client, django_assert_max_num_queries):
    """The page is read a status group at a time (active, suspended, removed, each in the sort's order), and
    runs on from one group into the next exactly as the whole list (the export's order) does: 52 active,
    then two suspended and one removed, shown 50 to a page."""
    lead = make_authority(kind=Authority.Kind.OPCC, is_lead_commissioner=True)
    framework = make_framework(lead_authority=lead)
    lot = make_lot(framework, title="Advocacy")
    officer = make_user(User.Role.OFFICER, authority=lead)
    statuses = [Appointment.Status.ACTIVE] * 52 + [Appointment.Status.SUSPENDED] * 2 + [Appointment.Status.REMOVED]
    # Names in an order unlike the statuses', so the groups, not the names, put the suspended ones last.
    for i, status in enumerate(statuses):
        make_appointment(lot, make_supplier(legal_name=f"Supplier {(i * 37) % 55:02d}"), status=status)
    whole = [(a.supplier.legal_name, a.status) for a in officer_approved_list(framework)]
    assert [status for _, status in whole] == statuses

    client.force_login(officer)
    first = client.get(officer_url(framework))
    with django_assert_max_num_queries(12):
        second = client.get(officer_url(framework) + "?page=2")
    shown = [name for name, _ in screen_rows(first.content.decode()) + screen_rows(second.content.decode())]
    assert shown == [name for name, _ in whole]
    assert "55 appointments" in first.content.decode()
    assert "Showing 51 to 55" in " ".join(second.content.decode().split())
