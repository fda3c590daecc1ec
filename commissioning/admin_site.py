"""The admin index grouped by the commissioning cycle rather than by Django app, because officers
think in stages (set-up, selection, award, contracts, monitoring), not in code modules."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

STAGES = [
    (
        "Set-up",
        ["authority", "area", "user", "fundingstream", "framework", "lot", "selectionquestion", "applicationwindow"],
    ),
    ("Suppliers", ["supplier", "accreditation", "supplierdocument", "invitation"]),
    ("Selection", ["application", "clarification", "evaluationassignment", "appointment"]),
    ("Award", ["competition", "tender", "award", "noaward", "directaward", "clarificationquestion"]),
    ("Contracts", ["contract", "contractmeeting", "variation", "extensionoption", "socialvalueproposal", "milestone"]),
    ("Monitoring", ["kpitemplate", "returnperiod", "quarterlyreturn"]),
    ("Records and background work", ["auditevent", "notification", "reminderrule", "generateddocument"]),
]


class PortalAdminSite(admin.AdminSite):
    site_header = "Commissioning portal administration"
    site_title = "Commissioning portal"
    index_title = "The commissioning cycle"

    def index(self, request, extra_context=None):
        from .uploads import scanning_enabled

        return super().index(request, {"malware_scanning": scanning_enabled(), **(extra_context or {})})

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        if app_label is not None:
            return apps
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
