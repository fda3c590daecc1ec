"""What differs between the things the portal evaluates, as configuration: the registry of evaluation kinds.

A kind says which models hold its assignments and scores, what an officer assigns evaluators to (the
*target*: an application, a competition, a direct award) and what evaluators score (the *subject*: the
application, each opened response, the direct award), its criteria, who may assign and moderate, when
its lifecycle allows each step, what happens once a step is done (e-mails, the subject's status), the
audit action names and the URLs of its pages, and what the evaluator sees beside each question.

Each app registers its kinds when it is ready (`frameworks.apps`, `contracts.apps`), so this module never
imports the apps that use it. The rules shared by every kind are in `checks.py`, the moves in
`services.py` and the one declare-and-score page in `views.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import QuerySet

from .bases import EvaluationAssignmentBase, ModeratedScoreBase, ScoreBase


@dataclass(frozen=True)
class Evidence:
    """Something the evaluator can check an answer against: a document, or an accreditation with its
    expiry. A file is linked through a view that checks the reader's assignment (or the officer's
    authority) before serving it."""

    label: str
    detail: str = ""
    warning: str = ""
    url: str = ""
    link_text: str = ""


@dataclass(frozen=True)
class Table:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass
class Item:
    """One criterion as the evaluator (and the moderating officer) sees it: the question, the answer and
    the evidence beside it."""

    criterion: Any
    title: str
    question: str = ""
    about: str = ""
    guidance: str = ""
    scale: str = ""
    answer_heading: str = "The answer"
    answer: str = ""
    answer_files: list[Evidence] = field(default_factory=list)
    evidence_heading: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    no_evidence: str = ""
    table: Table | None = None


@dataclass
class Heading:
    """Who and what is evaluated, shown before the declaration (so nothing of the content)."""

    bidder: str
    caption: str
    what: str
    members: list | None = None  # consortium members; None where there is no consortium to speak of
    facts: list[tuple[str, str]] = field(default_factory=list)


class EvaluationKind:
    """Subclass per kind of evaluation, fill in the attributes, override the methods, and `register()` one
    instance. Methods that check a lifecycle raise `IllegalMove` (or another `RuleError`)."""

    name: str  # also the kind's name in URLs and tests: "application", "tender", "direct_award"
    bidder_noun: str  # who the evaluator declares about: "applicant", "bidder", "supplier"
    target_model: type[models.Model]
    subject_model: type[models.Model]
    assignment_model: type[EvaluationAssignmentBase]
    score_model: type[ScoreBase]
    moderated_model: type[ModeratedScoreBase]
    subject_field: str  # the assignment's and the agreed score's foreign key to the subject
    criterion_field: str  # the score's and the agreed score's foreign key to the criterion
    officers_only: str = "Only officers of the authority that runs this may do this."

    # Audit actions
    assigned_action: str
    declared_action = "evaluation.conflict_declared"
    submitted_action = "evaluation.scores_submitted"
    moderated_action = "evaluation.moderated"

    # URL names
    evaluate_url: str  # the evaluator's page, args [assignment pk]
    assignments_url: str  # the evaluator's list of these assignments
    assignments_label: str

    # --- Who, and when -------------------------------------------------------------------------------

    def runs(self, user, target) -> bool:
        """May this user assign evaluators to the target and moderate its scores?"""
        raise NotImplementedError

    def authority_id(self, target) -> int | None:
        """The authority that runs the target: its evaluators come from there."""
        raise NotImplementedError

    def lock_target(self, target):
        return type(target).objects.select_for_update().get(pk=target.pk)

    def lock_subject(self, subject):
        return type(subject).objects.select_for_update().get(pk=subject.pk)

    def target_of(self, subject):
        return subject

    def check_assignable(self, target) -> None:
        raise NotImplementedError

    def assignment_subjects(self, target) -> list:
        """What each evaluator assigned to the target scores (each opened response of a competition)."""
        return [target]

    def assignments_of(self, target) -> QuerySet:
        """Every assignment made to the target."""
        return self.assignment_model.objects.filter(**{self.subject_field: target})

    def check_scorable(self, subject) -> None:
        raise NotImplementedError

    def check_moderatable(self, subject) -> None:
        raise NotImplementedError

    def criteria(self, subject) -> list:
        """The criteria evaluators score for this subject, in order."""
        raise NotImplementedError

    def criterion_title(self, criterion) -> str:
        return str(criterion)

    # --- What happens afterwards (e-mails through the existing functions, the subject's status) --------

    def assigned(self, target, created: list, by) -> None:
        """Tell the newly assigned evaluators."""

    def conflict_declared(self, assignment, by) -> None:
        """Tell whoever must assign another evaluator."""

    def moderated(self, subject, by) -> None:
        """Move the subject on once every criterion has its agreed score."""

    # --- Pages ------------------------------------------------------------------------------------------

    def assignments_for(self, user) -> QuerySet:
        """The evaluator's own assignments of this kind that they may open."""
        raise NotImplementedError

    def subjects_for_officer(self, user) -> QuerySet:
        """The subjects this officer may moderate (others are 404)."""
        raise NotImplementedError

    def heading(self, assignment) -> Heading:
        raise NotImplementedError

    def items(self, subject, *, assignment=None) -> list[Item]:
        """Each criterion with its answer and evidence; file links for the evaluator of `assignment`, or
        for an officer when it is None."""
        raise NotImplementedError

    def documents(self, subject, *, assignment=None) -> list[Evidence]:
        """Documents that go with the whole of what is evaluated, shown above the questions."""
        return []

    def officer_url(self, subject) -> str:
        raise NotImplementedError

    def officer_crumbs(self, subject) -> list[tuple[str, str | None]]:
        raise NotImplementedError

    def moderation_caption(self, subject) -> str:
        raise NotImplementedError

    def subject_of(self, assignment):
        return getattr(assignment, self.subject_field)


_KINDS: dict[str, EvaluationKind] = {}
_BY_MODEL: dict[type, EvaluationKind] = {}


def register(kind: EvaluationKind) -> EvaluationKind:
    """Add a kind; registering the same name again replaces it (apps may be readied more than once)."""
    _KINDS[kind.name] = kind
    for model in (kind.target_model, kind.subject_model, kind.assignment_model):
        _BY_MODEL[model] = kind
    return kind


def kind_named(name: str) -> EvaluationKind:
    return _KINDS[name]


def kind_for(obj: models.Model) -> EvaluationKind:
    """The kind an assignment, a target or a subject belongs to."""
    try:
        return _BY_MODEL[type(obj)]
    except KeyError:
        raise LookupError(f"No evaluation kind is registered for {type(obj).__name__}") from None


def registered() -> list[EvaluationKind]:
    return list(_KINDS.values())
