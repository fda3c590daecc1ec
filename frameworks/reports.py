"""PDF reports of the selection stage, registered with the portal's one document path."""

from __future__ import annotations

from typing import Any

from commissioning.models import GeneratedDocument
from commissioning.reports import register_report
from commissioning.rules import acts_for_running_authority

from . import selectors
from .models import Application

OUTCOME_LETTER = "outcome-letter"


def _is_lead_officer(user, application: Application | None) -> bool:
    return application is not None and acts_for_running_authority(user, application.window.framework)


def _may_read_letter(user, application: Application | None) -> bool:
    if _is_lead_officer(user, application):
        return True
    membership = getattr(user, "supplier_membership", None)
    return bool(application is not None and membership and membership.supplier_id == application.supplier_id)


def outcome_letter_context(document: GeneratedDocument) -> dict[str, Any]:
    application = Application.objects.select_related("supplier", "window__framework__lead_authority").get(
        pk=document.target_id
    )
    results = {r.lot.pk: r for r in selectors.lot_results(application)}
    choices = application.lot_choices.select_related("lot", "decided_by").prefetch_related("areas")
    return {
        "application": application,
        "framework": application.window.framework,
        "rows": [(choice, results.get(choice.lot_id)) for choice in choices],
        "appointed": [c for c in choices if c.outcome == "appointed"],
    }


register_report(
    OUTCOME_LETTER,
    title=lambda application, params: (
        f"Outcome of your application: {application.supplier} – {application.window.framework.reference}"
    ),
    template="frameworks/pdf/outcome_letter.html",
    build_context=outcome_letter_context,
    can_request=_is_lead_officer,
    can_view=_may_read_letter,
)
