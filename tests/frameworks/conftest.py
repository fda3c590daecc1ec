"""A realistic selection set-up: a framework with two lots, questions of every kind, an open window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commissioning.demo import minimal_pdf
from commissioning.models import Area, User
from frameworks.models import ApplicationWindow, Framework, Lot, SelectionQuestion
from suppliers.models import Accreditation, Supplier
from tests.factories import make_area, make_user
from tests.factories.frameworks import make_framework, make_lot, make_question, make_window

PDF_BYTES = minimal_pdf("test")


def pdf_upload(name: str = "policy.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@dataclass
class Selection:
    framework: Framework
    lot1: Lot
    lot2: Lot
    window: ApplicationWindow
    areas: list[Area]
    policy: SelectionQuestion
    delivery: SelectionQuestion
    outcomes: SelectionQuestion
    quality: SelectionQuestion
    officer: User
    evaluators: list[User]
    supplier: Supplier
    provider: User


@pytest.fixture
def selection(db) -> Selection:
    officer = make_user(User.Role.OFFICER)
    framework = make_framework(lead_authority=officer.authority)
    lot1 = make_lot(framework, number=1, title="Independent Domestic Violence Advocate (IDVA)", minimum_score="60")
    lot2 = make_lot(framework, number=2, title="DA cope and recover services", minimum_score="60")
    areas = [make_area(name=name, code=name.lower()) for name in ("Birmingham", "Coventry", "Dudley")]
    policy = make_question(
        framework,
        section="Safeguarding",
        kind="pass_fail",
        weight=0,
        requires_upload=True,
        text="Upload your safeguarding policy.",
    )
    delivery = make_question(framework, section="Service delivery", weight=60, text="How will you deliver?")
    outcomes = make_question(framework, section="Outcomes", weight=40, text="How will you measure outcomes?")
    quality = make_question(
        framework,
        lot=lot1,
        section="Quality standards",
        kind="pass_fail",
        weight=0,
        required_accreditation="safelives",
        text="Confirm your SafeLives accreditation.",
    )
    window = make_window(framework)
    evaluators = [make_user(User.Role.EVALUATOR, authority=officer.authority) for _ in range(2)]
    provider = make_user(User.Role.PROVIDER)
    supplier = provider.supplier_membership.supplier
    Accreditation.objects.create(supplier=supplier, scheme="safelives", reference="SL-1", expires_on=date(2030, 1, 1))
    return Selection(
        framework,
        lot1,
        lot2,
        window,
        areas,
        policy,
        delivery,
        outcomes,
        quality,
        officer,
        evaluators,
        supplier,
        provider,
    )


def complete_application(sel: Selection, *, lots=None, supplier_user=None):
    """Start and fill in an application through the services, ready to submit."""
    from frameworks import services

    user = supplier_user or sel.provider
    application = services.start_application(window=sel.window, by=user)
    chosen = lots or [sel.lot1, sel.lot2]
    services.save_lots(application=application, by=user, choices={lot: sel.areas[:2] for lot in chosen})
    services.save_consortium(application=application, by=user, is_consortium=False, members=[])
    services.save_consent(application=application, by=user, share_with_partners=True, publish=False)
    from frameworks.selectors import questions_for

    texts = {q.pk: f"Our answer to {q.text}" for q in questions_for(application)}
    services.save_answers(application=application, by=user, texts=texts, uploads={sel.policy.pk: pdf_upload()})
    return application


def evaluate_fully(sel: Selection, application, *, delivery=3, outcomes=3, policy_passed=True, quality_passed=True):
    """Assign two evaluators, declare, score, submit, and moderate every question."""
    from frameworks import evaluation
    from frameworks.selectors import questions_for

    evaluation.assign_evaluators(target=application, evaluators=sel.evaluators, by=sel.officer)
    values = {sel.delivery.pk: delivery, sel.outcomes.pk: outcomes}
    passes = {sel.policy.pk: policy_passed, sel.quality.pk: quality_passed}
    questions = questions_for(application)
    for assignment in application.assignments.all():
        evaluation.declare_conflict(assignment=assignment, has_conflict=False, details="", by=assignment.evaluator)
        marks = {
            q.pk: ({"score": values[q.pk]} if q.is_scored else {"passed": passes[q.pk]}) | {"comment": "Reasoned."}
            for q in questions
        }
        evaluation.save_scores(assignment=assignment, scores=marks, submit=True, by=assignment.evaluator)
    for q in questions:
        evaluation.moderate(
            subject=application,
            criterion=q,
            by=sel.officer,
            reason="Agreed by the panel.",
            score=values.get(q.pk),
            passed=passes.get(q.pk),
        )
    application.refresh_from_db()
    return application


@pytest.fixture(params=["application", "tender", "direct_award"])
def case(request):
    """One thing of each kind to evaluate, made through the services (see tests/factories/evaluation.py)."""
    from tests.factories.evaluation import application_case, award_case

    if request.param == "application":
        return application_case(request.getfixturevalue("selection"))
    return award_case(request.param)
