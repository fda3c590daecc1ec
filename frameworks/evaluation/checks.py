"""The rules every evaluation follows, whatever is evaluated: who may evaluate, at least two evaluators
free of any conflict of interest on each thing evaluated, a score and a comment on every criterion before
submitting, and moderation once the panel has scored."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from commissioning.lifecycle import RuleError
from commissioning.models import User

# A move the evaluation rules do not allow; the message is shown to the user as it is.
EvaluationRuleError = RuleError

MINIMUM_PANEL = 2


def field_error(field: str, message: str) -> RuleError:
    return RuleError({field: [message]})


def eligible_evaluators(authority_id: int | None) -> QuerySet[User]:
    """Active evaluators and officers of the authority that runs what is evaluated."""
    return User.objects.filter(
        is_active=True, role__in=[User.Role.EVALUATOR, User.Role.OFFICER], authority=authority_id
    ).order_by("full_name")


def require_eligible(evaluators: Iterable[User], authority_id: int | None) -> None:
    allowed = set(eligible_evaluators(authority_id).values_list("pk", flat=True))
    for evaluator in evaluators:
        if evaluator.pk not in allowed:
            raise field_error(
                "evaluators",
                f"{evaluator.full_name} cannot evaluate this: evaluators are active evaluators or officers of "
                "the authority that runs it",
            )


def require_panel(conflicts: dict[int, bool | None], adding: Iterable[User]) -> None:
    """At least two evaluators who have not declared a conflict of interest; `conflicts` maps each
    evaluator already assigned to their declaration."""
    free = {pk for pk, has_conflict in conflicts.items() if has_conflict is not True} | {e.pk for e in adding}
    if len(free) < MINIMUM_PANEL:
        raise field_error("evaluators", "Assign at least two evaluators who have not declared a conflict of interest")


def require_declared_free(assignment) -> None:
    if assignment.has_conflict is not False:
        raise RuleError("Declare that you have no conflict of interest before scoring.")
    if assignment.submitted_at is not None:
        raise RuleError("You have submitted your scores; they can no longer be changed.")


def check_score(criterion, score: int | None) -> None:
    if criterion.is_scored and score is not None and not 0 <= score <= criterion.max_score:
        raise RuleError(f"Scores for this question are 0 to {criterion.max_score}")


@dataclass(frozen=True)
class MissingScore:
    """A criterion the evaluator has not finished: its number on the page, and what it still needs."""

    number: int
    criterion: Any
    title: str
    needs_score: bool
    needs_comment: bool


def missing_scores(criteria: Sequence, stored: dict, title_of) -> list[MissingScore]:
    missing = []
    for number, criterion in enumerate(criteria, start=1):
        saved = stored.get(criterion.pk)
        value = None if saved is None else (saved.score if criterion.is_scored else saved.passed)
        needs_comment = saved is None or not saved.comment.strip()
        if value is None or needs_comment:
            missing.append(MissingScore(number, criterion, title_of(criterion), value is None, needs_comment))
    return missing


class ScoresMissing(RuleError):
    """Submitting needs a score and a comment on every criterion; `missing` says which are left."""

    def __init__(self, missing: list[MissingScore]):
        super().__init__(f"Give a score and a comment for every question ({len(missing)} left)")
        self.missing = missing


def require_scores_in(assignments: Iterable) -> None:
    """Moderation starts when at least two evaluators without a conflict have submitted and every
    evaluator without a conflict has."""
    assignments = list(assignments)
    submitted = [a for a in assignments if a.has_conflict is False and a.submitted_at]
    if len(submitted) < MINIMUM_PANEL:
        raise RuleError(
            "Moderate once at least two evaluators without a conflict of interest have submitted their scores."
        )
    if any(a.has_conflict is None or (a.has_conflict is False and a.submitted_at is None) for a in assignments):
        raise RuleError("Every evaluator without a conflict of interest must submit their scores first.")


def check_agreed_score(criterion, *, score: int | None, passed: bool | None, reason: str) -> None:
    if not reason.strip():
        raise field_error("reason", "Give the reason for the agreed score")
    if criterion.is_scored and (score is None or not 0 <= score <= criterion.max_score):
        raise field_error("score", f"Enter an agreed score from 0 to {criterion.max_score}")
    if not criterion.is_scored and passed is None:
        raise field_error("passed", "Select pass or fail")
