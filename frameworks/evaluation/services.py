"""The moves of every evaluation, whatever is evaluated: assigning evaluators, declaring a conflict of
interest, scoring and submitting, and moderating an agreed score. Each takes the acting user as `by=`,
checks the rule and the lifecycle through the object's kind (see `kinds.py`), runs in a transaction,
writes the audit trail and leaves e-mails and status changes to the kind."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet

from commissioning.audit import record
from commissioning.clock import recorded_now
from commissioning.lifecycle import RuleError
from commissioning.models import User

from . import checks
from .kinds import kind_for


@transaction.atomic
def assign_evaluators(*, target, evaluators: Sequence[User], by: User) -> list:
    """Assign evaluators to an application, a competition's opened responses or a direct award. Each
    declares conflicts of interest before seeing anything; there must be at least two free of any."""
    kind = kind_for(target)
    target = kind.lock_target(target)
    if not kind.runs(by, target):
        raise PermissionDenied(kind.officers_only)
    kind.check_assignable(target)
    subjects = kind.assignment_subjects(target)
    checks.require_eligible(evaluators, kind.authority_id(target))
    declared: dict[int, dict[int, bool | None]] = {subject.pk: {} for subject in subjects}
    for subject_id, evaluator_id, has_conflict in kind.assignment_model.objects.filter(
        **{f"{kind.subject_field}__in": subjects}
    ).values_list(kind.subject_field, "evaluator", "has_conflict"):
        declared[subject_id][evaluator_id] = has_conflict
    for subject in subjects:
        checks.require_panel(declared[subject.pk], evaluators)
    created = []
    for subject in subjects:
        for evaluator in evaluators:
            assignment, made = kind.assignment_model.objects.get_or_create(
                **{kind.subject_field: subject, "evaluator": evaluator}, defaults={"assigned_by": by}
            )
            if made:
                created.append(assignment)
    record(
        kind.assigned_action,
        by=by,
        obj=target,
        data={
            "evaluators": sorted({a.evaluator.email for a in created}),
            "assigned_to": [str(subject) for subject in subjects],
        },
    )
    kind.assigned(target, created, by)
    return created


def _lock_own_assignment(assignment, by: User):
    kind = kind_for(assignment)
    locked = kind.assignment_model.objects.select_for_update().select_related(kind.subject_field).get(pk=assignment.pk)
    if locked.evaluator_id != by.pk:
        raise PermissionDenied("This assignment is not yours.")
    return kind, locked


@transaction.atomic
def declare_conflict(*, assignment, has_conflict: bool, details: str, by: User):
    """The evaluator says whether they have a conflict of interest; with one they see nothing more."""
    kind, assignment = _lock_own_assignment(assignment, by)
    if assignment.has_conflict is not None:
        raise RuleError("You have already made your declaration.")
    if has_conflict and not details.strip():
        raise checks.field_error("details", "Describe the conflict of interest")
    assignment.has_conflict = has_conflict
    assignment.conflict_details = details.strip() if has_conflict else ""
    assignment.declared_at = recorded_now()
    assignment.save(update_fields=["has_conflict", "conflict_details", "declared_at"])
    record(
        kind.declared_action,
        by=by,
        obj=kind.subject_of(assignment),
        data={"has_conflict": has_conflict, "details": assignment.conflict_details},
    )
    if has_conflict:
        kind.conflict_declared(assignment, by)
    return assignment


def save_scores(*, assignment, scores: Mapping[int, Mapping], submit: bool, by: User):
    """Save the evaluator's scores and comments. Submitting needs a score and a comment on every
    criterion and is final; when some are missing, what was given is kept as a draft and
    `ScoresMissing` names the rest."""
    with transaction.atomic():
        kind, assignment = _lock_own_assignment(assignment, by)
        subject = kind.subject_of(assignment)
        kind.check_scorable(subject)
        checks.require_declared_free(assignment)
        criteria = kind.criteria(subject)
        by_pk = {c.pk: c for c in criteria}
        for criterion_id, given in scores.items():
            criterion = by_pk.get(criterion_id)
            if criterion is None:
                raise RuleError("That question is not part of this evaluation.")
            score = given.get("score")
            checks.check_score(criterion, score)
            kind.score_model.objects.update_or_create(
                assignment=assignment,
                **{kind.criterion_field: criterion},
                defaults={
                    "score": score if criterion.is_scored else None,
                    "passed": None if criterion.is_scored else given.get("passed"),
                    "comment": (given.get("comment") or "").strip(),
                },
            )
        stored = {
            getattr(s, f"{kind.criterion_field}_id"): s for s in kind.score_model.objects.filter(assignment=assignment)
        }
        missing = checks.missing_scores(criteria, stored, kind.criterion_title) if submit else []
        if submit and not missing:
            assignment.submitted_at = recorded_now()
            assignment.save(update_fields=["submitted_at"])
            record(
                kind.submitted_action,
                by=by,
                obj=subject,
                data={str(c): {"score": s.score, "passed": s.passed} for c, s in sorted(stored.items())},
            )
    if missing:
        raise checks.ScoresMissing(missing)
    return assignment


@transaction.atomic
def moderate(*, subject, criterion, score: int | None, passed: bool | None = None, reason: str, by: User):
    """Record the agreed score for one criterion and why; every evaluator's own score is kept."""
    kind = kind_for(subject)
    subject = kind.lock_subject(subject)
    if not kind.runs(by, kind.target_of(subject)):
        raise PermissionDenied(kind.officers_only)
    kind.check_moderatable(subject)
    if criterion.pk not in {c.pk for c in kind.criteria(subject)}:
        raise RuleError("That question is not scored by the evaluators of this.")
    checks.require_scores_in(kind.assignment_model.objects.filter(**{kind.subject_field: subject}))
    checks.check_agreed_score(criterion, score=score, passed=passed, reason=reason)
    moderated, _ = kind.moderated_model.objects.update_or_create(
        **{kind.subject_field: subject, kind.criterion_field: criterion},
        defaults={
            "score": score if criterion.is_scored else None,
            "passed": None if criterion.is_scored else passed,
            "reason": reason.strip(),
            "moderated_by": by,
        },
    )
    record(
        kind.moderated_action,
        by=by,
        obj=subject,
        data={
            "criterion": kind.criterion_title(criterion),
            "score": moderated.score,
            "passed": moderated.passed,
            "reason": moderated.reason,
        },
    )
    kind.moderated(subject, by)
    return moderated


def assignable_evaluators(target) -> QuerySet[User]:
    """Who may still be assigned to the target: eligible, and not yet assigned."""
    kind = kind_for(target)
    return checks.eligible_evaluators(kind.authority_id(target)).exclude(
        pk__in=kind.assignments_of(target).values("evaluator")
    )


def visible_scores(assignment) -> list:
    """Other evaluators' submitted scores for the same subject, shown only once this evaluator has
    submitted their own."""
    if assignment.submitted_at is None:
        return []
    kind = kind_for(assignment)
    return list(
        kind.score_model.objects.filter(
            **{f"assignment__{kind.subject_field}": getattr(assignment, f"{kind.subject_field}_id")},
            assignment__submitted_at__isnull=False,
        )
        .exclude(assignment=assignment)
        .select_related("assignment__evaluator")
        .order_by("assignment__evaluator__full_name")
    )


def submitted_scores(subject, criterion) -> list:
    """Every evaluator's submitted score for one criterion of a subject, for the moderating officer."""
    kind = kind_for(subject)
    return list(
        kind.score_model.objects.filter(
            **{f"assignment__{kind.subject_field}": subject, kind.criterion_field: criterion},
            assignment__submitted_at__isnull=False,
        )
        .select_related("assignment__evaluator")
        .order_by("assignment__evaluator__full_name")
    )
