"""The client's address behind a configured number of trusted proxies, recorded on every audit event made
in a request (issue 16, finding 6: it was the proxy's address, and empty for most events)."""

import pytest
from django.test import RequestFactory

from commissioning.audit import record
from commissioning.models import AuditEvent
from commissioning.request_context import client_address

pytestmark = pytest.mark.django_db


def address(settings, proxies: int, remote: str = "10.0.0.2", forwarded: str | None = None) -> str | None:
    settings.PROXY_COUNT = proxies
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


def test_without_proxies_the_header_is_not_believed(settings):
    assert address(settings, 0, forwarded="203.0.113.5") == "10.0.0.2"


def test_behind_one_proxy_the_rightmost_entry_is_the_client(settings):
    # The client wrote "198.51.100.66" itself; the proxy appended the address it really saw.
    assert address(settings, 1, forwarded="198.51.100.66, 203.0.113.5") == "203.0.113.5"


def test_behind_two_proxies_the_second_from_the_right(settings):
    assert address(settings, 2, forwarded="198.51.100.66, 203.0.113.5, 10.0.0.9") == "203.0.113.5"
    assert address(settings, 2, forwarded="2001:db8::7, 10.0.0.9") == "2001:db8::7"


def test_too_few_entries_or_nonsense_falls_back_to_the_connecting_address(settings):
    assert address(settings, 2, forwarded="203.0.113.5") == "10.0.0.2"
    assert address(settings, 1, forwarded="") == "10.0.0.2"
    assert address(settings, 1, forwarded="not-an-address") == "10.0.0.2"
    assert address(settings, 0, remote="") is None


def test_sign_in_events_record_it_too(client, settings, provider):
    settings.PROXY_COUNT = 1
    client.post(
        "/sign-in/",
        {"username": provider.email, "password": "a-long-test-password-42"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )
    assert AuditEvent.objects.get(action="auth.signed_in").ip_address == "203.0.113.8"


def test_outside_a_request_there_is_no_address(officer):
    assert record("test.outside", by=officer).ip_address is None
