"""One thing of each kind to evaluate (an application, an opened response, a direct award's Social Value
Proposal) with the people around it, made through the services; and the moves of an evaluation panel."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models

from commissioning.models import User
from frameworks import evaluation
from tests.factories import make_user
from tests.factories.awards import (
    complete_tender,
    make_award_setup,
    make_direct_award,
    make_published_mini,
    open_competition,
)

KINDS = ["application", "tender", "direct_award"]


@dataclass
class Case:
    """One thing to evaluate, with the people around it."""

    kind: str
    target: models.Model  # what evaluators are assigned to
    subject: models.Model  # what they score
    officer: User  # runs it
    second_officer: User  # of the same authority
    evaluators: list[User]  # two eligible evaluators
    spare: User  # a third eligible evaluator
    criteria: list = field(default_factory=list)
    supplier_user: User | None = None  # someone at the supplier evaluated

    def assignment(self, evaluator: User):
        kind = evaluation.kind_for(self.subject)
        return kind.assignment_model.objects.get(**{kind.subject_field: self.subject, "evaluator": evaluator})

    def refreshed(self) -> models.Model:
        return type(self.subject).objects.get(pk=self.subject.pk)


def application_case(sel) -> Case:
    """`sel` is the `selection` fixture of tests/frameworks/conftest.py."""
    from frameworks import services
    from frameworks.selectors import questions_for
    from tests.frameworks.conftest import complete_application

    application = complete_application(sel)
    services.submit_application(application=application, by=sel.provider)
    return Case(
        kind="application",
        target=application,
        subject=application,
        officer=sel.officer,
        second_officer=make_user(User.Role.OFFICER, authority=sel.officer.authority),
        evaluators=sel.evaluators,
        spare=make_user(User.Role.EVALUATOR, authority=sel.officer.authority),
        criteria=questions_for(application),
        supplier_user=sel.provider,
    )


def award_case(kind: str, **competition) -> Case:
    setup = make_award_setup()
    spare = make_user(User.Role.EVALUATOR, authority=setup.authority)
    if kind == "tender":
        mini = make_published_mini(setup, **competition)
        tender = complete_tender(mini, setup.providers[0])
        open_competition(mini, setup.officer, setup.officer2)
        target, subject, criteria = mini, tender, [c for c in mini.criteria.all() if c.is_scored]
    else:
        direct_award = make_direct_award(setup, annual_value=Decimal("60000"))  # over the threshold: scored
        target, subject, criteria = direct_award, direct_award, list(direct_award.criteria.all())
    return Case(
        kind=kind,
        target=target,
        subject=subject,
        officer=setup.officer,
        second_officer=setup.officer2,
        evaluators=setup.evaluators,
        spare=spare,
        criteria=criteria,
        supplier_user=setup.providers[0],
    )


def full_scores(criteria, score: int = 3, comment: str = "Clear evidence.") -> dict[int, dict]:
    return {c.pk: ({"score": score} if c.is_scored else {"passed": True}) | {"comment": comment} for c in criteria}


def declared_and_scored(case: Case, evaluators=None) -> None:
    for evaluator in evaluators or case.evaluators:
        assignment = case.assignment(evaluator)
        evaluation.declare_conflict(assignment=assignment, has_conflict=False, details="", by=evaluator)
        evaluation.save_scores(assignment=assignment, scores=full_scores(case.criteria), submit=True, by=evaluator)


def moderate_all(case: Case) -> None:
    for criterion in case.criteria:
        evaluation.moderate(
            subject=case.subject,
            criterion=criterion,
            score=3 if criterion.is_scored else None,
            passed=None if criterion.is_scored else True,
            reason="Agreed by the panel.",
            by=case.officer,
        )
