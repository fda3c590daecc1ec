"""Where the current request comes from: the client's real address behind a known number of trusted
reverse proxies, kept in a context variable for the request's lifetime so that every audit event made
while serving it records the address without services being handed the request."""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest

_client_address: ContextVar[str | None] = ContextVar("client_address", default=None)


def _address(value: str | None) -> str | None:
    """The value if it is an IP address (IPv4 or IPv6), else None."""
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """With PROXY_COUNT trusted proxies in front, each appends the address it received the request from
    to X-Forwarded-For, so the client's address is PROXY_COUNT entries from the right; anything further
    left was written by the client and is not believed. Without proxies, or when the header holds fewer
    entries than there are proxies (the request did not come through them), the connecting address."""
    remote = _address(request.META.get("REMOTE_ADDR"))
    hops = settings.PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < hops:
        return remote
    return _address(forwarded[-hops]) or remote


def current_client_address() -> str | None:
    """The address of the request being served in this context, or None outside a request."""
    return _client_address.get()


class ClientAddressMiddleware:
    """Works the client's address out once per request and keeps it for the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.client_address = client_address(request)
        token = _client_address.set(request.client_address)
        try:
            return self.get_response(request)
        finally:
            _client_address.reset(token)
