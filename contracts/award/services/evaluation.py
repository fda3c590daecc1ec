"""What evaluation moves in a competition. Assigning evaluators, declarations, scores and moderation go
through the one mechanism of `frameworks.evaluation` (tenders and direct awards are kinds of it, see
`contracts.award.evaluation`); here is only what the competition's lifecycle does once scores are agreed."""

from __future__ import annotations

from commissioning.audit import record
from commissioning.clock import recorded_now
from commissioning.models import User
from contracts.award import selectors
from contracts.award.lifecycles import COMPETITION, TENDER
from contracts.award.models import Competition, Tender

from .common import TenderStatus, move


def refresh_evaluation(competition: Competition, *, by: User) -> None:
    """A response is scored once every evaluator-scored criterion has an agreed score; the competition
    is evaluated once every opened response is scored."""
    scored_ids = {c.pk for c in selectors.scored_criteria(competition)}
    for tender in Tender.objects.filter(competition=competition, status=TenderStatus.OPENED):
        agreed = set(tender.moderated_scores.values_list("criterion_id", flat=True))
        if scored_ids <= agreed:
            tender.status = TENDER.next_status("complete_scoring", tender.status)
            tender.save(update_fields=["status", "updated_at"])
            record("tender.scored", by=by, obj=tender)
    remaining = Tender.objects.filter(competition=competition, status=TenderStatus.OPENED).exists()
    any_scored = Tender.objects.filter(competition=competition, status=TenderStatus.SCORED).exists()
    if COMPETITION.allows("complete_evaluation", competition.status) and not remaining and any_scored:
        competition.evaluated_at = recorded_now()
        move(competition, "complete_evaluation", by=by)
