"""Request-wide rules: two-factor for staff, no caching of signed-in pages, read-only partners."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class StaffTwoFactorMiddleware:
    """When REQUIRE_STAFF_MFA is on, staff must pass TOTP before any page, the admin included."""

    exempt_names = ("two_factor", "logout", "password_reset")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.REQUIRE_STAFF_MFA
            and user is not None
            and user.is_authenticated
            and user.needs_two_factor
            and not user.is_verified()
            and not self._is_exempt(request.path)
        ):
            target = reverse("two_factor")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    def _is_exempt(self, path: str) -> bool:
        if path.startswith(settings.STATIC_URL):
            return True
        return any(path.startswith(reverse(name)) for name in self.exempt_names)


class PrivateCacheMiddleware:
    """Pages shown to a signed-in user must not be kept by browsers or proxies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


class ReadOnlyPartnerMiddleware:
    """Partner commissioners read shared lists; every unsafe request of theirs is refused,
    except signing out and looking after their own account."""

    allowed_names = ("logout", "password_change", "two_factor")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.method not in SAFE_METHODS
            and user is not None
            and user.is_authenticated
            and user.role == "partner"
            and not any(request.path.startswith(reverse(name)) for name in self.allowed_names)
        ):
            raise PermissionDenied("Partner commissioners have read-only access.")
        return self.get_response(request)
