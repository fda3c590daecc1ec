"""Request-wide rules: two-factor, idle sign-out, no caching of signed-in pages, read-only partners."""

import hashlib
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import urlencode

from .signals import HAS_AUTHENTICATOR, SIGNED_IN_AT

# The cookie holding when the session last made a request.
ACTIVITY_COOKIE = "portal_activity"

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class _Middleware:
    def __init__(self, get_response):
        self.get_response = get_response


def _signed_in_user(request):
    """Whoever is signed in, or None (nobody, or a request the authentication middleware did not see)."""
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _path_under(path: str, url_names) -> bool:
    return any(path.startswith(reverse(name)) for name in url_names)


class TwoFactorMiddleware(_Middleware):
    """Whoever's account needs a second factor (see `User.needs_two_factor`), or who has set one up by
    choice, passes it before any page, the admin included. SKIP_TWO_FACTOR, for development only, turns
    this off; production settings refuse to start with it."""

    exempt_names = ("two_factor", "logout", "password_reset")

    def __call__(self, request):
        user = _signed_in_user(request)
        if (
            not settings.SKIP_TWO_FACTOR
            and user is not None
            and (user.needs_two_factor or request.session.get(HAS_AUTHENTICATOR))
            and not user.is_verified()
            and not self._is_exempt(request.path)
        ):
            target = reverse("two_factor")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    def _is_exempt(self, path: str) -> bool:
        if path.startswith(settings.STATIC_URL):
            return True
        return _path_under(path, self.exempt_names)


class IdleTimeoutMiddleware(_Middleware):
    """Signs a session out after SESSION_IDLE_TIMEOUT seconds without a request, and SESSION_COOKIE_AGE
    seconds after the sign-in whatever the activity.

    The time of the last request is kept in a cookie of its own, signed with a timestamp and bound to
    the session, not in the session: nothing is written to the database on each request, and a cookie
    that is missing, altered, from another session or older than the idle limit means idle."""

    def __call__(self, request):
        if _signed_in_user(request) is not None:
            reason = self._expired(request, time.time())
            if reason:
                logout(request)
                messages.info(request, f"You were signed out {reason}, to keep your account safe. Sign in again.")
                return redirect_to_login(request.get_full_path())
        response = self.get_response(request)
        if _signed_in_user(request) is not None and request.session.session_key:
            response.set_cookie(
                ACTIVITY_COOKIE,
                _activity_signer().sign(_session_digest(request.session.session_key)),
                max_age=settings.SESSION_IDLE_TIMEOUT,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def _expired(self, request, now: float) -> str:
        signed_in_at = request.session.get(SIGNED_IN_AT)
        if signed_in_at is None or now - signed_in_at > settings.SESSION_COOKIE_AGE:
            return f"{settings.SESSION_COOKIE_AGE // 3600} hours after you signed in"
        if now - signed_in_at <= settings.SESSION_IDLE_TIMEOUT:
            return ""  # signed in within the idle limit: active, whatever the cookie says
        try:
            digest = _activity_signer().unsign(
                request.COOKIES.get(ACTIVITY_COOKIE, ""), max_age=settings.SESSION_IDLE_TIMEOUT
            )
        except signing.BadSignature:
            digest = ""
        if not constant_time_compare(digest, _session_digest(request.session.session_key or "")):
            return f"after {settings.SESSION_IDLE_TIMEOUT // 60} minutes without activity"
        return ""


def _activity_signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt="commissioning.idle-timeout")


def _session_digest(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]


class PrivateCacheMiddleware(_Middleware):
    """Pages shown to a signed-in user must not be kept by browsers or proxies."""

    def __call__(self, request):
        response = self.get_response(request)
        if _signed_in_user(request) is not None:
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


class ReadOnlyPartnerMiddleware(_Middleware):
    """Partner commissioners read shared lists; every unsafe request of theirs is refused,
    except signing out and looking after their own account."""

    allowed_names = ("logout", "password_change", "two_factor")

    def __call__(self, request):
        user = _signed_in_user(request)
        if (
            request.method not in SAFE_METHODS
            and user is not None
            and user.role == "partner"
            and not _path_under(request.path, self.allowed_names)
        ):
            raise PermissionDenied("Partner commissioners have read-only access.")
        return self.get_response(request)
