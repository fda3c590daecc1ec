"""The admin of frameworks, lots, questions, windows and appointments writes through services (issue 15):
the rule of who runs the framework holds, and each change leaves an audit event with before and after."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from commissioning.models import AuditEvent, User
from frameworks import setup
from frameworks.models import SelectionQuestion
from tests.factories import make_user
from tests.factories.frameworks import make_appointment

pytestmark = pytest.mark.django_db


def local(moment: datetime) -> tuple[str, str]:
    moment = timezone.localtime(moment)
    return moment.strftime("%d/%m/%Y"), moment.strftime("%H:%M:%S")


def window_form(window, closes_at: datetime) -> dict:
    opens_date, opens_time = local(window.opens_at)
    closes_date, closes_time = local(closes_at)
    return {
        "framework": window.framework_id,
        "title": window.title,
        "opens_at_0": opens_date,
        "opens_at_1": opens_time,
        "closes_at_0": closes_date,
        "closes_at_1": closes_time,
    }


def test_moving_a_windows_closing_time_in_the_admin_is_audited_with_before_and_after(client, selection):
    window = selection.window
    window.opens_at = window.opens_at.replace(microsecond=0)  # the admin's time boxes hold whole seconds
    window.save()
    before = window.closes_at
    later = before.replace(microsecond=0) + timedelta(days=3)
    client.force_login(selection.officer)
    response = client.post(f"/admin/frameworks/applicationwindow/{window.pk}/change/", window_form(window, later))
    assert response.status_code == 302
    window.refresh_from_db()
    assert window.closes_at == later
    event = AuditEvent.objects.get(action="frameworks.window.changed")
    assert event.actor == selection.officer and event.ip_address == "127.0.0.1"
    change = event.data["changes"]["closes_at"]
    assert abs(datetime.fromisoformat(change["before"]) - before) < timedelta(milliseconds=1)  # JSON keeps ms
    assert datetime.fromisoformat(change["after"]) == later
    assert set(event.data["changes"]) == {"closes_at"}


def test_an_officer_of_another_authority_cannot_move_the_window(client, selection):
    outsider = make_user(User.Role.OFFICER)
    client.force_login(outsider)
    later = selection.window.closes_at + timedelta(days=3)
    client.raise_request_exception = False
    response = client.post(
        f"/admin/frameworks/applicationwindow/{selection.window.pk}/change/", window_form(selection.window, later)
    )
    assert response.status_code == 403
    selection.window.refresh_from_db()
    assert selection.window.closes_at != later
    with pytest.raises(PermissionDenied):
        setup.save_window(window=selection.window, by=outsider)


def test_a_question_added_in_a_lots_inline_saves_first_time_without_asking_for_its_framework(client, selection):
    """Issue 18, point 9: the inline asked for its own framework, so the first save failed."""
    client.force_login(selection.officer)
    lot = selection.lot2
    page = client.get(f"/admin/frameworks/lot/{lot.pk}/change/").content.decode()
    assert 'name="questions-__prefix__-framework"' not in page
    data = {
        "framework": selection.framework.pk,
        "number": lot.number,
        "title": lot.title,
        "description": lot.description,
        "minimum_score": "60",
        "questions-TOTAL_FORMS": "1",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        "questions-0-section": "Partnership working",
        "questions-0-order": "1",
        "questions-0-text": "How will you work with partners in each area?",
        "questions-0-kind": "scored",
        "questions-0-weight": "20",
        "questions-0-max_score": "4",
        "questions-0-guidance": "",
        "questions-0-evaluator_guidance": "",
        "questions-0-scale_descriptors": "",
        "questions-0-word_limit": "",
        "questions-0-required_accreditation": "",
    }
    response = client.post(f"/admin/frameworks/lot/{lot.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    question = SelectionQuestion.objects.get(text="How will you work with partners in each area?")
    assert question.lot == lot and question.framework == selection.framework
    event = AuditEvent.objects.get(action="frameworks.question.created")
    assert event.data["changes"]["text"]["after"] == question.text


def test_a_question_takes_its_lots_framework_whatever_is_chosen(selection):
    from tests.factories.frameworks import make_framework

    other = make_framework(lead_authority=selection.officer.authority)
    question = SelectionQuestion(
        framework=other, lot=selection.lot1, section="Safeguarding", order=9, text="Who is your lead?", weight=0
    )
    setup.save_question(question=question, by=selection.officer)
    assert question.framework == selection.framework


def test_an_officer_creates_frameworks_only_for_their_own_authority(client, selection):
    client.force_login(selection.officer)
    other = make_user(User.Role.OFFICER).authority
    data = {
        "title": "Another framework",
        "reference": "FW-OTHER",
        "lead_authority": other.pk,
        "term_start_0": "01/04/2026",
        "term_end_0": "31/03/2030",
        "term_start": "01/04/2026",
        "term_end": "31/03/2030",
        "legal_regime": "pa2023_light_touch",
        "is_light_touch": "on",
        "reaward_months": "12",
        "cpv_code": "85320000",
        "lots-TOTAL_FORMS": "0",
        "lots-INITIAL_FORMS": "0",
        "windows-TOTAL_FORMS": "0",
        "windows-INITIAL_FORMS": "0",
    }
    client.raise_request_exception = False
    assert client.post("/admin/frameworks/framework/add/", data).status_code == 403
    data["lead_authority"] = selection.officer.authority_id
    assert client.post("/admin/frameworks/framework/add/", data).status_code == 302
    event = AuditEvent.objects.get(action="frameworks.framework.created")
    assert event.data["changes"]["reference"]["after"] == "FW-OTHER"


def test_changing_an_appointments_consent_in_the_admin_is_audited(client, selection):
    appointment = make_appointment(selection.lot1, selection.supplier, areas=selection.areas[:1])
    client.force_login(selection.officer)
    data = {
        "supplier": selection.supplier.pk,
        "lot": selection.lot1.pk,
        "areas": [area.pk for area in selection.areas[:2]],
        "starts_on": "01/07/2025",
        "ends_on": "",
        "consent_publish": "on",
    }
    response = client.post(f"/admin/frameworks/appointment/{appointment.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    appointment.refresh_from_db()
    assert appointment.consent_share_with_partners is False
    event = AuditEvent.objects.get(action="frameworks.appointment.changed")
    assert event.data["changes"]["consent_share_with_partners"] == {"before": True, "after": False}
    assert event.data["changes"]["areas"]["after"] == sorted(str(a) for a in selection.areas[:2])


def test_nothing_changed_writes_no_event(selection):
    setup.save_window(window=selection.window, by=selection.officer)
    assert not AuditEvent.objects.filter(action__startswith="frameworks.window").exists()


def test_the_event_records_the_clients_address_behind_the_proxy(client, selection, settings):
    """The service is not given the request: the middleware's context carries the address (finding 6)."""
    settings.PROXY_COUNT = 1
    window = selection.window
    window.opens_at = window.opens_at.replace(microsecond=0)
    window.save()
    client.force_login(selection.officer)
    later = window.closes_at.replace(microsecond=0) + timedelta(days=1)
    response = client.post(
        f"/admin/frameworks/applicationwindow/{window.pk}/change/",
        window_form(window, later),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.5",
    )
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="frameworks.window.changed").ip_address == "203.0.113.5"
