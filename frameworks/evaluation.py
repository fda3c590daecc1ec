"""The evaluation machinery shared by selection (applications) and award (tenders): evaluators are
assigned, declare conflicts of interest before seeing anything, mark each criterion independently
with a comment, and an officer moderates an agreed mark with a reason while every individual mark
is kept. Concrete models inherit the abstract ones below; services call the functions below and
write their own audit events, because only they know what is being evaluated."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone


class EvaluationRuleError(ValidationError):
    """A move the evaluation rules do not allow; the message is shown to the user as it is."""


class Criterion(Protocol):
    pk: int
    max_score: int

    @property
    def is_scored(self) -> bool: ...


class EvaluationAssignmentBase(models.Model):
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    has_conflict = models.BooleanField(null=True, help_text="Empty until the evaluator declares.")
    conflict_details = models.TextField(blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def state(self) -> str:
        if self.has_conflict is None:
            return "declare"
        if self.has_conflict:
            return "conflicted"
        if self.submitted_at is None:
            return "scoring"
        return "submitted"


class ScoreBase(models.Model):
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        abstract = True


class ModeratedScoreBase(models.Model):
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    reason = models.TextField()
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    moderated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def declare(assignment: EvaluationAssignmentBase, *, has_conflict: bool, details: str, by) -> None:
    """Record the evaluator's declaration on a row the caller has locked."""
    if assignment.evaluator_id != by.pk:
        raise PermissionDenied("This assignment is not yours.")
    if assignment.has_conflict is not None:
        raise EvaluationRuleError("You have already made your declaration.")
    if has_conflict and not details.strip():
        raise EvaluationRuleError("Describe the conflict of interest")
    assignment.has_conflict = has_conflict
    assignment.conflict_details = details
    assignment.declared_at = timezone.now()
    assignment.save(update_fields=["has_conflict", "conflict_details", "declared_at"])


def record_marks(
    assignment: EvaluationAssignmentBase,
    *,
    criteria: dict[int, Criterion],
    marks: dict[int, dict],
    submit: bool,
    by,
    score_model: type[ScoreBase],
    criterion_field: str,
) -> dict[int, ScoreBase]:
    """Save individual marks; submitting needs every criterion marked with a comment, and is final."""
    if assignment.evaluator_id != by.pk:
        raise PermissionDenied("This assignment is not yours.")
    if assignment.has_conflict is not False:
        raise EvaluationRuleError("Declare that you have no conflict of interest before scoring.")
    if assignment.submitted_at is not None:
        raise EvaluationRuleError("You have submitted your scores; they can no longer be changed.")
    for criterion_id, mark in marks.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise EvaluationRuleError("That question is not part of this evaluation.")
        score = mark.get("score")
        if criterion.is_scored and score is not None and not 0 <= score <= criterion.max_score:
            raise EvaluationRuleError(f"Scores for this question are 0 to {criterion.max_score}")
        score_model.objects.update_or_create(
            assignment=assignment,
            **{criterion_field: criterion},
            defaults={
                "score": score if criterion.is_scored else None,
                "passed": None if criterion.is_scored else mark.get("passed"),
                "comment": mark.get("comment", ""),
            },
        )
    stored = {getattr(s, f"{criterion_field}_id"): s for s in score_model.objects.filter(assignment=assignment)}
    if submit:
        missing = [
            c
            for c in criteria.values()
            if c.pk not in stored
            or (c.is_scored and stored[c.pk].score is None)
            or (not c.is_scored and stored[c.pk].passed is None)
            or not stored[c.pk].comment.strip()
        ]
        if missing:
            raise EvaluationRuleError(f"Give a mark and a comment for every question ({len(missing)} left)")
        assignment.submitted_at = timezone.now()
        assignment.save(update_fields=["submitted_at"])
    return stored


def require_all_marks_in(assignments: Iterable[EvaluationAssignmentBase]) -> None:
    """Moderation starts when every evaluator without a conflict has submitted."""
    assignments = list(assignments)
    if not any(a.has_conflict is False and a.submitted_at for a in assignments):
        raise EvaluationRuleError("Moderate once the evaluators have submitted their scores.")
    if any(a.has_conflict is None or (a.has_conflict is False and a.submitted_at is None) for a in assignments):
        raise EvaluationRuleError("Every evaluator without a conflict must submit their scores first.")


def check_agreed_mark(criterion: Criterion, *, score: int | None, passed: bool | None, reason: str) -> None:
    if not reason.strip():
        raise EvaluationRuleError("Give the reason for the agreed mark")
    if criterion.is_scored and (score is None or not 0 <= score <= criterion.max_score):
        raise EvaluationRuleError(f"Enter an agreed score from 0 to {criterion.max_score}")
    if not criterion.is_scored and passed is None:
        raise EvaluationRuleError("Select pass or fail")
