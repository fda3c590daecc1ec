"""The framework report: the approved supplier list and its coverage of lots and areas, as a PDF for
officers and the partner authorities they brief. Generated in the background like every report."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from commissioning.models import GeneratedDocument
from commissioning.reports import register_report
from frameworks.models import Framework
from frameworks.partner_rules import can_manage_approved_list
from frameworks.partner_selectors import officer_approved_list

from .coverage import coverage_matrix

FRAMEWORK_REPORT = "framework-report"


def framework_report_context(document: GeneratedDocument) -> dict[str, Any]:
    framework = Framework.objects.select_related("lead_authority").get(pk=document.target_id)
    today = timezone.localdate()
    appointments = officer_approved_list(framework, today=today)
    matrix = coverage_matrix(framework, today=today)
    return {
        "framework": framework,
        "partners": list(framework.partner_authorities.order_by("name")),
        "windows": list(framework.windows.order_by("opens_at")),
        "appointments": appointments,
        "active": [a for a in appointments if a.status == "active"],
        "matrix": matrix,
        "today": today,
    }


def register() -> None:
    register_report(
        FRAMEWORK_REPORT,
        title=lambda framework, params: f"Framework report: {framework.title} ({framework.reference})",
        template="contracts/pdf/framework_report.html",
        build_context=framework_report_context,
        can_request=can_manage_approved_list,
        can_view=can_manage_approved_list,
    )
