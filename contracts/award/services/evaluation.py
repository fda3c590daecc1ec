"""Evaluation of tenders on the shared machinery of frameworks.evaluation: assigning evaluators,
declarations of conflict, scores and moderation."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commissioning.audit import record
from commissioning.models import User
from contracts.award import selectors
from contracts.award.models import (
    Award,
    AwardCriterion,
    Competition,
    Tender,
    TenderAssignment,
    TenderModeratedScore,
    TenderScore,
)
from frameworks import evaluation

from .common import AwardRuleError, Status, TenderStatus, field_error, lock_competition, move, notify, require_officer
from .tenders import lock_tender

# --- Evaluation ---------------------------------------------------------------------------------------


def eligible_evaluator(user: User) -> bool:
    return user.is_active and user.role in {User.Role.EVALUATOR, User.Role.OFFICER}


@transaction.atomic
def assign_tender_evaluators(*, competition: Competition, evaluators: list[User], by: User) -> list[TenderAssignment]:
    """Assign evaluators to every opened response; each declares conflicts before seeing anything."""
    competition = lock_competition(competition)
    require_officer(competition, by)
    if competition.status != Status.CLOSED:
        raise AwardRuleError("Evaluators are assigned once the responses have been opened, before evaluation ends.")
    for evaluator in evaluators:
        if not eligible_evaluator(evaluator):
            raise AwardRuleError(f"{evaluator.full_name} cannot evaluate.")
    tenders = list(Tender.objects.filter(competition=competition, status=TenderStatus.OPENED))
    if not tenders:
        raise AwardRuleError("There are no opened responses to evaluate.")
    existing = set(
        TenderAssignment.objects.filter(tender__competition=competition).values_list("evaluator_id", flat=True)
    )
    if len(existing | {e.pk for e in evaluators}) < 2:
        raise field_error("evaluators", "Assign at least two evaluators")
    created = []
    for tender in tenders:
        for evaluator in evaluators:
            assignment, made = TenderAssignment.objects.get_or_create(
                tender=tender, evaluator=evaluator, defaults={"assigned_by": by}
            )
            if made:
                created.append(assignment)
    record(
        "competition.evaluators_assigned",
        by=by,
        obj=competition,
        data={"evaluators": sorted({a.evaluator.email for a in created}), "responses": len(tenders)},
    )
    for evaluator in {a.evaluator for a in created}:
        notify(
            to=[evaluator.email],
            subject=f"Responses to evaluate: {competition.reference}",
            message=f"You have been asked to evaluate the responses to {competition.title}. Declare any conflict "
            "of interest with each bidder before you see its response.",
            url=reverse("awards:evaluator_assignments"),
        )
    return created


@transaction.atomic
def declare_tender_conflict(
    *, assignment: TenderAssignment, has_conflict: bool, details: str, by: User
) -> TenderAssignment:
    assignment = (
        TenderAssignment.objects.select_for_update().select_related("tender__competition").get(pk=assignment.pk)
    )
    evaluation.declare(assignment, has_conflict=has_conflict, details=details, by=by)
    competition = assignment.tender.competition
    record(
        "evaluation.conflict_declared",
        by=by,
        obj=assignment.tender,
        data={"has_conflict": has_conflict, "details": details},
    )
    if has_conflict:
        notify(
            to=[competition.owner.email],
            subject=f"Conflict of interest declared on {competition.reference}",
            message=f"{by.full_name} has declared a conflict of interest with a bidder in {competition.title} and "
            "will not score that response. Assign another evaluator if needed.",
            url=reverse("awards:officer_competition", args=[competition.pk]),
        )
    return assignment


@transaction.atomic
def save_tender_scores(
    *, assignment: TenderAssignment, marks: dict[int, dict], submit: bool, by: User
) -> TenderAssignment:
    """Independent marks per criterion; submitting needs every criterion marked with a comment."""
    assignment = (
        TenderAssignment.objects.select_for_update().select_related("tender__competition").get(pk=assignment.pk)
    )
    tender = assignment.tender
    if tender.status != TenderStatus.OPENED:
        raise AwardRuleError("This response is not open for evaluation.")
    criteria = {c.pk: c for c in selectors.scored_criteria(tender.competition)}
    stored = evaluation.record_marks(
        assignment,
        criteria=criteria,
        marks=marks,
        submit=submit,
        by=by,
        score_model=TenderScore,
        criterion_field="criterion",
    )
    if submit:
        record(
            "evaluation.scores_submitted",
            by=by,
            obj=tender,
            data={c: s.score for c, s in stored.items()},
        )
    return assignment


@transaction.atomic
def moderate_tender(
    *, tender: Tender, criterion: AwardCriterion, score: int | None, reason: str, by: User
) -> TenderModeratedScore:
    """The agreed mark and why; every evaluator's own mark is kept."""
    tender = lock_tender(tender)
    competition = tender.competition
    require_officer(competition, by)
    if tender.status not in {TenderStatus.OPENED, TenderStatus.SCORED} or Award.objects.filter(lot=tender.lot).exists():
        raise AwardRuleError("Only an opened response that has not been awarded can be moderated.")
    if criterion.competition_id != competition.pk or not criterion.is_scored:
        raise AwardRuleError("That criterion is not marked by evaluators in this competition.")
    evaluation.require_all_marks_in(tender.assignments.all())
    evaluation.check_agreed_mark(criterion, score=score, passed=None, reason=reason)
    moderated, _ = TenderModeratedScore.objects.update_or_create(
        tender=tender, criterion=criterion, defaults={"score": score, "reason": reason.strip(), "moderated_by": by}
    )
    record(
        "evaluation.moderated",
        by=by,
        obj=tender,
        data={"criterion": criterion.title, "score": score, "reason": reason.strip()},
    )
    refresh_evaluation(competition, by=by)
    return moderated


def refresh_evaluation(competition: Competition, *, by: User) -> None:
    """A response is scored once every evaluator-marked criterion has an agreed mark; the competition
    is evaluated once every opened response is scored."""
    scored_ids = {c.pk for c in selectors.scored_criteria(competition)}
    for tender in Tender.objects.filter(competition=competition, status=TenderStatus.OPENED):
        agreed = set(tender.moderated_scores.values_list("criterion_id", flat=True))
        if scored_ids <= agreed:
            tender.status = TenderStatus.SCORED
            tender.save(update_fields=["status", "updated_at"])
            record("tender.scored", by=by, obj=tender)
    remaining = Tender.objects.filter(competition=competition, status=TenderStatus.OPENED).exists()
    any_scored = Tender.objects.filter(competition=competition, status=TenderStatus.SCORED).exists()
    if competition.status == Status.CLOSED and not remaining and any_scored:
        competition.evaluated_at = timezone.now()
        move(competition, Status.EVALUATED, by=by)


# The stated price formula lives with the results it feeds.
price_points = selectors.price_points
