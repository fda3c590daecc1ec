"""The assessment summary: for each bidder in an awarded lot, their moderated scores and the reasons
per criterion beside the winning response's, with the price formula and the ranking as it stood when
the award was decided. A registered report of the portal's one document path, produced in the
background; it exists only once the award is decided, so nothing sealed can reach a PDF.

Importing this module registers the report (and, through `reminders`, the award reminders and
tasks): `ContractsConfig.ready` imports it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from commissioning.models import GeneratedDocument, User
from commissioning.reports import register_report
from commissioning.rules import acts_for_running_authority

from . import reminders  # noqa: F401  (registers the award reminders and background tasks)
from .models import Award, Tender

ASSESSMENT_SUMMARY = "assessment-summary"


def _awarded(tender: Tender | None) -> bool:
    return tender is not None and Award.objects.filter(lot=tender.lot_id).exists()


def _officer_of(user: User, tender: Tender) -> bool:
    return acts_for_running_authority(user, tender.competition)


def can_request(user: User, tender: Tender | None) -> bool:
    return _awarded(tender) and _officer_of(user, tender)


def can_view(user: User, tender: Tender | None) -> bool:
    if not _awarded(tender):
        return False
    if _officer_of(user, tender):
        return True
    membership = getattr(user, "supplier_membership", None)
    return bool(membership is not None and user.is_active and membership.supplier_id == tender.supplier_id)


def assessment_summary_context(document: GeneratedDocument) -> dict[str, Any]:
    tender = Tender.objects.select_related("competition__buying_authority", "lot", "supplier").get(
        pk=document.target_id
    )
    award = Award.objects.select_related("tender__supplier", "decided_by").get(lot=tender.lot_id)
    results = {row["tender"]: row for row in award.results}
    mine, winner = results.get(tender.pk), results.get(award.tender_id)
    rows = []
    if mine and winner:
        theirs = {c["criterion"]: c for c in winner["criteria"]}
        rows = [(c, theirs.get(c["criterion"], {})) for c in mine["criteria"]]
    return {
        "tender": tender,
        "competition": tender.competition,
        "award": award,
        "is_winner": tender.pk == award.tender_id,
        "mine": mine,
        "winner": winner,
        "rows": rows,
        "bidders": len(award.results),
        "standstill_days": settings.STANDSTILL_WORKING_DAYS,
    }


register_report(
    ASSESSMENT_SUMMARY,
    title=lambda tender, params: (
        f"Assessment summary: {tender.supplier.legal_name}, {tender.competition.reference} lot {tender.lot.number}"
    ),
    template="contracts/award/pdf/assessment_summary.html",
    build_context=assessment_summary_context,
    can_request=can_request,
    can_view=can_view,
)
