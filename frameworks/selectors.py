"""Reads for frameworks and applications, scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from commissioning.models import User
from commissioning.pagination import attach_values, related_count
from commissioning.rules import acting_for_filter
from commissioning.search import Column, Sorting, search
from suppliers.models import Accreditation

from .models import (
    QUESTION_ORDER,
    Application,
    ApplicationLot,
    ApplicationWindow,
    Appointment,
    EvaluationAssignment,
    Lot,
    ModeratedScore,
    SelectionQuestion,
    application_still_open,
)


def applications_for_provider(user: User) -> QuerySet[Application]:
    return Application.objects.filter(supplier=user.supplier_membership.supplier).select_related(
        "window__framework", "supplier"
    )


def applications_for_officer(user: User) -> QuerySet[Application]:
    """Officers see applications to frameworks their authority leads (administrators see all)."""
    qs = Application.objects.exclude(status=Application.Status.DRAFT).select_related("window__framework", "supplier")
    return qs.filter(acting_for_filter(user, "window__framework__lead_authority"))


def assignments_for_evaluator(user: User) -> QuerySet[EvaluationAssignment]:
    return (
        EvaluationAssignment.objects.filter(evaluator=user)
        .exclude(application__status__in=[Application.Status.DRAFT, Application.Status.WITHDRAWN])
        .select_related("application__supplier", "application__window__framework")
    )


def open_windows(now=None) -> QuerySet[ApplicationWindow]:
    return (
        ApplicationWindow.objects.open_at(now or timezone.now())
        .select_related("framework")
        .prefetch_related(Prefetch("framework__lots", queryset=Lot.objects.published().order_by("number")))
    )


APPLICATION_SEARCH = ("supplier__legal_name", "supplier__trading_name", "window__title")
APPLICATION_COLUMNS = [
    Column("applicant", "Applicant", ("supplier__legal_name",)),
    Column("window", "Window", ("window__opens_at",)),
    Column("submitted", "Submitted", ("submitted_at",)),
    Column("status", "Status", ("status",)),
]
# What a row of the application list shows (its search and sort read the same columns).
APPLICATION_ROW_FIELDS = (
    "status",
    "submitted_at",
    "supplier_id",
    "window_id",
    "supplier__legal_name",
    "window__title",
    "window__opens_at",
    "window__framework_id",
)
# Those still to decide first, newest submitted first; ends with the primary key, for keyset pagination.
APPLICATION_ORDER = ("still_open", "-submitted_at", "-pk")


def application_ordering(sorting: Sorting | None) -> list[str]:
    if sorting is not None and sorting.column is not None:
        return sorting.order_by("pk")
    return list(APPLICATION_ORDER)


def application_list_for_officer(
    user: User, framework=None, *, q: str = "", sorting: Sorting | None = None
) -> QuerySet[Application]:
    """The officer's applications, searched by applicant or window; those still to decide first (newest
    submitted first) unless a column is chosen to sort by; evaluators counted for the rows shown only.

    Only the columns a row shows are read; `with_lot_numbers` adds the lots of the rows shown."""
    assignments = EvaluationAssignment.objects.all()
    qs = (
        applications_for_officer(user)
        .filter(submitted_at__isnull=False)
        .select_related(None)
        .select_related("supplier", "window")
        .only(*APPLICATION_ROW_FIELDS)
        .annotate(
            evaluators=related_count(assignments, "application"),
            submitted_scores=related_count(assignments.filter(submitted_at__isnull=False), "application"),
        )
    )
    if framework is not None:
        qs = qs.filter(window__framework=framework)
    qs = search(qs, q, APPLICATION_SEARCH)
    return qs.annotate(still_open=application_still_open()).order_by(*application_ordering(sorting))


def with_lot_numbers(applications: list[Application]) -> list[Application]:
    """Gives each application shown `lot_numbers`: the numbers of the lots it applies for, in order."""
    chosen = ApplicationLot.objects.order_by("lot__number")
    return attach_values(applications, chosen, via="application", value="lot__number", to="lot_numbers")


def approved_list(framework) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(lot__framework=framework)
        .select_related("supplier", "lot")
        .prefetch_related("areas")
        .order_by("lot__number", "supplier__legal_name")
    )


def questions_for(application: Application) -> list[SelectionQuestion]:
    lot_ids = [choice.lot_id for choice in application.lot_choices.all()]
    return list(
        SelectionQuestion.objects.filter(framework=application.window.framework_id)
        .filter(Q(lot__isnull=True) | Q(lot_id__in=lot_ids))
        .select_related("lot")
        .order_by(*QUESTION_ORDER)
    )


@dataclass
class Section:
    slug: str
    title: str
    lot: Lot | None
    questions: list[SelectionQuestion] = field(default_factory=list)
    status: str = "not started"
    blockers: list[str] = field(default_factory=list)


def question_sections(application: Application, answers: dict[int, object] | None = None) -> list[Section]:
    """Questions grouped into task-list sections, framework-wide first then per lot, with their status."""
    if answers is None:
        answers = {answer.question_id: answer for answer in application.answers.all()}
    sections: dict[str, Section] = {}
    for question in questions_for(application):
        prefix = f"lot-{question.lot.number}-" if question.lot_id else ""
        slug = prefix + slugify(question.section)
        title = f"{question.lot}: {question.section}" if question.lot_id else question.section
        sections.setdefault(slug, Section(slug=slug, title=title, lot=question.lot)).questions.append(question)
    for section in sections.values():
        done = [answer_is_complete(q, answers.get(q.pk)) for q in section.questions]
        started = [bool(answers.get(q.pk) and (answers[q.pk].text or answers[q.pk].upload)) for q in section.questions]
        section.status = "completed" if all(done) else ("in progress" if any(started) else "not started")
    return list(sections.values())


def accreditation_gaps(
    application: Application, on: date, questions: list[SelectionQuestion] | None = None
) -> list[SelectionQuestion]:
    """Questions whose required accreditation the supplier does not hold, current, on that day."""
    held = {
        accreditation.satisfies
        for accreditation in Accreditation.objects.filter(supplier=application.supplier_id)
        if accreditation.is_current(on)
    }
    questions = questions_for(application) if questions is None else questions
    return [q for q in questions if q.required_accreditation and q.required_accreditation not in held]


def sections_with_blockers(application: Application, on: date) -> list[Section]:
    """The task list's sections, where a section asking for an accreditation the organisation does not
    hold (current, on that day) for the lots chosen needs action, and says why, however well it is
    answered: the provider learns it as soon as the lots are chosen, not at Check answers."""
    sections = question_sections(application)
    gaps = {q.pk for q in accreditation_gaps(application, on, [q for s in sections for q in s.questions])}
    for section in sections:
        for question in section.questions:
            if question.pk in gaps:
                needed_by = str(question.lot) if question.lot_id else "This framework"
                section.blockers.append(
                    f"Your organisation does not hold a current {question.get_required_accreditation_display()} "
                    f"accreditation (or an equivalent). {needed_by} needs one."
                )
        if section.blockers:
            section.status = "needs action"
    return sections


def answer_is_complete(question: SelectionQuestion, answer) -> bool:
    if answer is None or not answer.text.strip():
        return False
    return not question.requires_upload or bool(answer.upload)


def setup_statuses(application: Application) -> dict[str, str]:
    choices = list(application.lot_choices.all())
    lots = "not started"
    if choices:
        lots = "completed" if all(choice.areas.exists() for choice in choices) else "in progress"
    consortium = "not started"
    if application.is_consortium is False:
        consortium = "completed"
    elif application.is_consortium:
        consortium = "completed" if application.consortium_members.exists() else "in progress"
    sharing = "not started"
    if application.consent_share_with_partners and application.consent_publish is not None:
        sharing = "completed"
    elif application.consent_share_with_partners is not None or application.consent_publish is not None:
        sharing = "in progress"
    return {"lots": lots, "consortium": consortium, "sharing": sharing}


@dataclass
class LotResult:
    lot: Lot
    percentage: Decimal | None
    failed_pass_fail: list[SelectionQuestion]
    complete: bool

    @property
    def passes(self) -> bool:
        return (
            self.complete
            and not self.failed_pass_fail
            and self.percentage is not None
            and (self.percentage >= self.lot.minimum_score)
        )


def lot_results(application: Application) -> list[LotResult]:
    """Weighted moderated score per lot, as a percentage of the marks available, and any failed pass/fail."""
    moderated = {m.question_id: m for m in ModeratedScore.objects.filter(application=application)}
    questions = questions_for(application)
    results = []
    for choice in application.lot_choices.select_related("lot"):
        relevant = [q for q in questions if q.lot_id in (None, choice.lot_id)]
        complete = all(q.pk in moderated for q in relevant)
        failed = [q for q in relevant if not q.is_scored and q.pk in moderated and moderated[q.pk].passed is False]
        scored = [q for q in relevant if q.is_scored and q.weight]
        available = sum(Decimal(q.weight) for q in scored)
        percentage = None
        if complete and available:
            achieved = sum(
                Decimal(q.weight) * Decimal(moderated[q.pk].score or 0) / Decimal(q.max_score) for q in scored
            )
            percentage = (achieved / available * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        elif complete:
            percentage = Decimal("100.00")
        results.append(LotResult(lot=choice.lot, percentage=percentage, failed_pass_fail=failed, complete=complete))
    return results


def letters_for(application: Application):
    """Outcome letters produced for this application, newest first."""
    from django.contrib.contenttypes.models import ContentType

    from commissioning.models import GeneratedDocument

    return GeneratedDocument.objects.filter(
        kind="outcome-letter", target_type=ContentType.objects.get_for_model(Application), target_id=str(application.pk)
    ).order_by("-requested_at")
