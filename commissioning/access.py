"""Every view declares who may use it. The access test walks the URL resolver and fails on any
view that carries no `access_policy`, so a new view cannot be added without deciding this.

- `public`: anyone, signed in or not.
- `signed_in`: any active signed-in user (objects are still scoped to them by selectors).
- `permission_required("app.perm")`: signed in and granted the rules permission; otherwise 403.
  Anonymous users are sent to sign in.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def public(view: View) -> View:
    view.access_policy = "public"  # type: ignore[attr-defined]
    return view


def signed_in(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapper.access_policy = "signed_in"  # type: ignore[attr-defined]
    return wrapper


def permission_required(perm: str, *, read_only: bool = False) -> Callable[[View], View]:
    """Require a rules permission. `read_only` views refuse every unsafe method with 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(perm):
                raise PermissionDenied
            if read_only and request.method not in SAFE_METHODS:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access_policy = perm  # type: ignore[attr-defined]
        wrapper.read_only = read_only  # type: ignore[attr-defined]
        return wrapper

    return decorator
