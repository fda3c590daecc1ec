"""The admin index grouped by the commissioning cycle rather than by Django app, because officers
think in stages (set-up, selection, award, contracts, monitoring), not in code modules."""

import time
from functools import update_wrapper

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.urls import get_script_prefix, reverse

from .choices import account_key

STAGES = [
    ("Accounts", ["user", "rolerequest", "invitation"]),
    (
        "Set-up",
        ["authority", "area", "fundingstream", "framework", "lot", "selectionquestion", "applicationwindow"],
    ),
    ("Suppliers", ["supplier", "accreditation", "supplierdocument"]),
    ("Selection", ["application", "clarification", "evaluationassignment", "appointment", "frameworkaward"]),
    ("Award", ["competition", "tender", "award", "noaward", "directaward", "clarificationquestion"]),
    ("Notices", ["notice", "threshold"]),
    ("Contracts", ["contract", "contractmeeting", "variation", "extensionoption", "socialvalueproposal", "milestone"]),
    ("Monitoring", ["kpitemplate", "returnperiod", "quarterlyreturn"]),
    ("Records and background work", ["auditevent", "notification", "reminderrule", "generateddocument"]),
]


# What platform administrators may change in the admin: accounts, and nothing else (they read the rest).
ACCOUNT_MODELS = {("commissioning", "user"), ("commissioning", "rolerequest"), ("suppliers", "invitation")}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# The admin's list of models is worked out from the person's permissions: each model's five questions to the
# rules, about 200 in all, 4 ms of every admin page. What the rules answer depends on these fields of the
# account only, so the list is kept a minute for the same answers (each page still asks its own question).
APP_LIST_SECONDS = 60
APP_LIST_KEPT = 512
_app_lists: dict[tuple, tuple[float, list]] = {}


def _app_list_key(user) -> tuple:
    return (get_script_prefix(), *account_key(user))  # the list's links are reversed under the prefix


class PortalAdminSite(admin.AdminSite):
    site_header = "Commissioning portal administration"
    site_title = "Commissioning portal"
    index_title = "The commissioning cycle"

    def admin_view(self, view, cacheable=False):
        """Platform administrators take no commissioning decisions: whatever an admin page or action
        offers them, every change outside the accounts is refused here (the services refuse it too)."""
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            user = request.user
            if (
                request.method not in SAFE_METHODS
                and user.is_authenticated
                and user.role == "administrator"
                and not self._is_account_page(request.path)
            ):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)

    def _is_account_page(self, path: str) -> bool:
        rest = path.removeprefix(reverse("admin:index")).split("/")
        return tuple(rest[:2]) in ACCOUNT_MODELS or rest[0] == "logout"

    def login(self, request, extra_context=None):
        """One way in: the portal's own sign-in, with its lock-out and two-factor. A signed-in person
        who may not use the admin is refused rather than asked to sign in again."""
        from django.contrib.auth.views import redirect_to_login  # not at import: the admin app loads first

        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index"))

    def index(self, request, extra_context=None):
        from .uploads import scanning_enabled

        return super().index(request, {"malware_scanning": scanning_enabled(), **(extra_context or {})})

    def get_app_list(self, request, app_label=None):
        if app_label is not None or not request.user.is_authenticated:
            return super().get_app_list(request, app_label)
        key, now = _app_list_key(request.user), time.monotonic()
        kept = _app_lists.get(key)
        if kept is None or now - kept[0] > APP_LIST_SECONDS:
            if len(_app_lists) >= APP_LIST_KEPT:
                _app_lists.clear()
            kept = _app_lists[key] = (now, self._grouped_app_list(request))
        # A copy of each app and model entry, so a page that changed its list could not change the one kept.
        return [{**app, "models": [dict(model) for model in app["models"]]} for app in kept[1]]

    def _grouped_app_list(self, request):
        apps = super().get_app_list(request)
        models = {model["object_name"].lower(): model for app in apps for model in app["models"]}
        grouped, placed = [], set()
        for stage, names in STAGES:
            entries = [models[name] for name in names if name in models]
            placed.update(name for name in names if name in models)
            if entries:
                grouped.append(
                    {
                        "name": stage,
                        "app_label": stage.lower().replace(" ", "-"),
                        "app_url": "",
                        "has_module_perms": True,
                        "models": entries,
                    }
                )
        for app in apps:
            rest = [m for m in app["models"] if m["object_name"].lower() not in placed]
            if rest:
                grouped.append({**app, "models": rest})
        return grouped


class PortalAdminConfig(AdminConfig):
    default_site = "commissioning.admin_site.PortalAdminSite"
