"""Sessions end after 30 minutes without activity, besides the absolute limit (issue 16, finding 9)."""

import time

import pytest
from django.core import signing

from commissioning.middleware import ACTIVITY_COOKIE
from commissioning.models import AuditEvent
from commissioning.signals import SIGNED_IN_AT

pytestmark = pytest.mark.django_db


def age_session(client, seconds: int) -> None:
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - seconds
    session.save()


def last_request(client, seconds_ago: int, monkeypatch) -> None:
    """Make the activity cookie say the last request was `seconds_ago`."""
    client.cookies.pop(ACTIVITY_COOKIE, None)
    real = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real() - seconds_ago)
    client.get("/provider/")
    monkeypatch.setattr(signing.time, "time", real)


def test_thirty_minutes_without_a_request_signs_out(client, provider, monkeypatch):
    client.force_login(provider)
    last_request(client, 31 * 60, monkeypatch)
    age_session(client, 60 * 60)
    response = client.get("/provider/")
    assert response.status_code == 302 and response.url.startswith("/sign-in/?next=/provider/")
    assert "_auth_user_id" not in client.session
    page = client.get(response.url).content.decode()
    assert "You were signed out after 30 minutes without activity" in page
    assert AuditEvent.objects.filter(action="auth.signed_out", actor=provider).exists()


def test_a_request_within_thirty_minutes_keeps_the_session(client, provider, monkeypatch):
    client.force_login(provider)
    last_request(client, 29 * 60, monkeypatch)
    age_session(client, 60 * 60)
    assert client.get("/provider/").status_code == 200
    assert client.get("/provider/").status_code == 200


def test_a_missing_or_forged_activity_cookie_counts_as_idle(client, provider):
    client.force_login(provider)
    assert client.get("/provider/").status_code == 200
    age_session(client, 60 * 60)
    client.cookies[ACTIVITY_COOKIE] = "forged:value:here"
    assert client.get("/provider/").status_code == 302


def test_another_sessions_activity_cookie_does_not_count(client, provider, partner):
    other = client_class_for(client)
    other.force_login(partner)
    other.get("/partner/")
    client.force_login(provider)
    age_session(client, 60 * 60)
    client.cookies[ACTIVITY_COOKIE] = other.cookies[ACTIVITY_COOKIE].value
    assert client.get("/provider/").status_code == 302


def client_class_for(client):
    return type(client)()


def test_the_absolute_limit_holds_whatever_the_activity(client, provider, settings):
    client.force_login(provider)
    client.get("/provider/")
    age_session(client, settings.SESSION_COOKIE_AGE + 1)
    response = client.get("/provider/")
    assert response.status_code == 302
    assert "8 hours after you signed in" in client.get(response.url).content.decode()


def test_the_idle_limit_is_a_setting(client, provider, settings, monkeypatch):
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    client.force_login(provider)
    last_request(client, 6 * 60, monkeypatch)
    age_session(client, 60 * 60)
    assert client.get("/provider/").status_code == 302
