"""Every write and state change of the award stage: competitions and their lifecycle, clarification
questions, sealed tenders, the two-officer opening, evaluation and moderation (through the shared
machinery of `frameworks.evaluation`), award decisions with their standstill, contracts created from
awards, and direct awards with their second-officer approval.

Each function is keyword-only, takes the acting user as `by=`, checks the rule, runs in a
transaction, writes the audit trail and queues its side effects (email, PDFs) for after the commit.
A refused move raises `AwardRuleError` (a ValidationError) whose messages are shown to the user as
they are; where a message concerns one form field it is keyed by that field's name.

Nothing a bidder wrote is put in the audit trail: the trail is readable by officers, and responses
are sealed until they are opened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from commissioning.audit import record
from commissioning.dates import add_working_days
from commissioning.documents import request_document
from commissioning.email import send_after_commit
from commissioning.models import Area, User
from commissioning.templatetags.portal import deadline, money
from commissioning.text import CANNOT_BE_SAVED, holds_nul_character
from commissioning.uploads import sha256_of, validate_upload
from frameworks import evaluation
from frameworks.models import Lot
from suppliers.models import Supplier

from . import award_selectors as selectors
from . import services as contract_services
from .award_models import (
    Award,
    AwardCriterion,
    ClarificationQuestion,
    CombinedLimit,
    Competition,
    CompetitionInvitation,
    CompetitionLot,
    DirectAward,
    DirectAwardAssignment,
    DirectAwardCommitment,
    DirectAwardModeratedScore,
    DirectAwardScore,
    Justification,
    NoAward,
    Tender,
    TenderAnswer,
    TenderAssignment,
    TenderCommitment,
    TenderConsortiumMember,
    TenderDocument,
    TenderModeratedScore,
    TenderScore,
    TenderVersion,
    parse_months,
)
from .models import Contract, term_end

# A move the award rules do not allow; its message is shown to the user as it is.
AwardRuleError = evaluation.EvaluationRuleError

Status = Competition.Status
TenderStatus = Tender.Status
PENNY = Decimal("0.01")

# The competition lifecycle, in one place: draft → published → closed (responses opened) → evaluated
# → awarded (standstill) → contracted; or cancelled before an award.
TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.PUBLISHED, Status.CANCELLED},
    Status.PUBLISHED: {Status.CLOSED, Status.CANCELLED},
    Status.CLOSED: {Status.EVALUATED, Status.CANCELLED},
    Status.EVALUATED: {Status.AWARDED, Status.CANCELLED},
    Status.AWARDED: {Status.CONTRACTED},
    Status.CONTRACTED: set(),
    Status.CANCELLED: set(),
}


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _field_error(field: str, message: str) -> AwardRuleError:
    return AwardRuleError({field: [message]})


def _move(competition: Competition, to: str, *, by: User | None, data: dict | None = None) -> None:
    """Change the competition's status if the lifecycle allows it, and record the move."""
    if to not in TRANSITIONS[competition.status]:
        raise AwardRuleError(
            f"A competition that is {competition.get_status_display().lower()} cannot become "
            f"{Status(to).label.lower()}."
        )
    before = competition.status
    competition.status = to
    competition.save()
    record(f"competition.{to}", by=by, obj=competition, data={"from": before, **(data or {})})


def _lock(competition: Competition) -> Competition:
    return Competition.objects.select_for_update().get(pk=competition.pk)


def may_run(user: User, competition_or_authority_id) -> bool:
    """Officers of the buying authority (and administrators) run a competition or direct award."""
    authority_id = getattr(competition_or_authority_id, "buying_authority_id", competition_or_authority_id)
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or (user.role == User.Role.OFFICER and user.authority_id == authority_id))
    )


def _require_officer(competition, user: User) -> None:
    if not may_run(user, competition):
        raise PermissionDenied("Only officers of the buying authority may do this.")


def _supplier_of(user: User) -> Supplier:
    membership = getattr(user, "supplier_membership", None)
    if membership is None or not user.is_active:
        raise PermissionDenied("Only provider users act for a supplier.")
    return membership.supplier


def _require_supplier_of(tender: Tender, user: User) -> None:
    if _supplier_of(user).pk != tender.supplier_id:
        raise PermissionDenied("You do not act for this bidder.")


def _emails_of_suppliers(supplier_ids: Iterable[int]) -> list[str]:
    return list(
        User.objects.filter(
            supplier_membership__supplier__in=list(supplier_ids), is_active=True, role=User.Role.PROVIDER
        ).values_list("email", flat=True)
    )


def _officer_emails(authority_id: int, *, exclude: User | None = None) -> list[str]:
    qs = User.objects.filter(role=User.Role.OFFICER, is_active=True, authority=authority_id)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return list(qs.values_list("email", flat=True))


def _notice(*, to: Iterable[str], subject: str, message: str, url: str, details=(), action: str = "") -> None:
    """An email to each recipient on their own (bidders must not learn who else is bidding), sent after
    the commit, in the portal's plain notice layout."""
    for address in sorted(set(to)):
        send_after_commit(
            to=[address],
            subject=subject,
            template="award/notice",
            context={"subject": subject, "message": message, "details": list(details), "url": url, "action": action},
        )


def _money(value: Any, *, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(PENNY, rounding=ROUND_HALF_UP)
    except Exception as exc:  # noqa: BLE001 - any unparsable input is the same user error
        raise _field_error(field, "Enter an amount in pounds, like 296973.00") from exc
    if amount < 0:
        raise _field_error(field, "The amount cannot be negative")
    return amount


def contract_total(start_on: date, term_months: int, annual: Decimal) -> Decimal:
    """The value over the initial term, spread by financial year exactly as the contract records it."""
    end = term_end(start_on, term_months)
    return sum(contract_services.spread_annual_value(start_on, end, annual).values(), Decimal(0))


# --- Setting up a competition -------------------------------------------------------------------------


def _check_dates(clarification_deadline: datetime, closes_at: datetime) -> None:
    if clarification_deadline > closes_at:
        raise _field_error(
            "clarification_date", "The deadline for clarification questions must be on or before the closing time"
        )


def _store_specification(competition: Competition, upload: UploadedFile | None) -> None:
    if upload is None:
        return
    try:
        validate_upload(upload)
    except ValidationError as error:
        raise _field_error("specification", " ".join(error.messages)) from error
    competition.specification_sha256 = sha256_of(upload)
    competition.specification_name = upload.name
    competition.specification.save(upload.name, upload, save=False)


DEFAULT_CRITERIA = [
    {"kind": AwardCriterion.Kind.QUALITY, "title": "Service delivery", "weight": 60},
    {"kind": AwardCriterion.Kind.PRICE, "title": "Price", "weight": 30},
    {"kind": AwardCriterion.Kind.SOCIAL_VALUE, "title": "Social value", "weight": 10},
]


@transaction.atomic
def create_competition(
    *,
    by: User,
    kind: str,
    reference: str,
    title: str,
    estimated_value: Decimal,
    contract_start_on: date,
    term_months: int,
    clarification_deadline: datetime,
    closes_at: datetime,
    framework_lot: Lot | None = None,
    areas: Iterable[Area] = (),
    description: str = "",
    extension_months: str = "",
    interviews: str = "",
    is_light_touch: bool = True,
    requires_budget_template: bool | None = None,
    specification: UploadedFile | None = None,
) -> Competition:
    """A draft competition, with default criteria (quality 60, price 30, social value 10) to edit."""
    if not (by.is_active and by.role == User.Role.OFFICER and by.authority_id):
        raise PermissionDenied("Only officers of an authority can run competitions.")
    if kind not in Competition.Kind.values:
        raise _field_error("kind", "Select the kind of competition")
    if Competition.objects.filter(reference=reference).exists():
        raise _field_error("reference", f"A competition with reference {reference} already exists")
    is_mini = kind == Competition.Kind.MINI_COMPETITION
    if is_mini and framework_lot is None:
        raise _field_error("framework_lot", "Select the framework lot whose appointed providers may bid")
    if not is_mini:
        framework_lot = None
    _check_dates(clarification_deadline, closes_at)
    competition = Competition(
        kind=kind,
        reference=reference.strip(),
        title=title.strip(),
        description=description,
        buying_authority_id=by.authority_id,
        owner=by,
        framework_lot=framework_lot,
        estimated_value=_money(estimated_value, field="estimated_value"),
        contract_start_on=contract_start_on,
        term_months=term_months,
        extension_months=",".join(str(m) for m in parse_months(extension_months)),
        interviews=interviews,
        is_light_touch=framework_lot.framework.is_light_touch if framework_lot is not None else is_light_touch,
        requires_budget_template=(not is_mini) if requires_budget_template is None else requires_budget_template,
        clarification_deadline=clarification_deadline,
        closes_at=closes_at,
    )
    competition.save()
    _store_specification(competition, specification)
    competition.save()
    competition.areas.set(list(areas))
    if framework_lot is not None:
        CompetitionLot.objects.create(
            competition=competition,
            number=framework_lot.number,
            title=framework_lot.title,
            description=framework_lot.description,
            min_annual_bid=framework_lot.min_value,
            max_annual_bid=framework_lot.max_value,
        )
    for order, spec in enumerate(DEFAULT_CRITERIA, start=1):
        AwardCriterion.objects.create(competition=competition, order=order, **spec)
    record(
        "competition.created",
        by=by,
        obj=competition,
        data={
            "kind": kind,
            "framework_lot": str(framework_lot) if framework_lot else None,
            "areas": sorted(a.name for a in competition.areas.all()),
            "estimated_value": competition.estimated_value,
            "closes_at": closes_at,
        },
    )
    return competition


EDITABLE_FIELDS = {
    "title",
    "description",
    "estimated_value",
    "contract_start_on",
    "term_months",
    "extension_months",
    "interviews",
    "is_light_touch",
    "requires_budget_template",
    "clarification_deadline",
    "closes_at",
}


@transaction.atomic
def update_competition(
    *,
    competition: Competition,
    by: User,
    areas: Iterable[Area] | None = None,
    specification: UploadedFile | None = None,
    **changes: Any,
) -> Competition:
    """Edit a draft. Once published only the owner can move the closing time (`move_closing_time`)."""
    competition = _lock(competition)
    _require_officer(competition, by)
    if competition.status != Status.DRAFT:
        raise AwardRuleError("Only a draft competition can be edited.")
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise AwardRuleError(f"These are not edited here: {sorted(unknown)}")
    changed = {}
    for name, value in changes.items():
        if name == "extension_months":
            value = ",".join(str(m) for m in parse_months(value))
        if name == "estimated_value":
            value = _money(value, field="estimated_value")
        if getattr(competition, name) != value:
            changed[name] = value
            setattr(competition, name, value)
    _check_dates(competition.clarification_deadline, competition.closes_at)
    _store_specification(competition, specification)
    competition.save()
    if areas is not None:
        new = set(areas)
        if new != set(competition.areas.all()):
            competition.areas.set(list(new))
            changed["areas"] = sorted(a.name for a in new)
    if specification is not None:
        changed["specification"] = competition.specification_sha256
    record("competition.updated", by=by, obj=competition, data={"changed": changed})
    return competition


def criteria_problems(criteria: list[Mapping[str, Any]], estimated_value: Decimal | None) -> list[str]:
    """What stops a set of award criteria being used: weights must add up to 100; where the estimated
    value is over the social value threshold, social value carries at least the minimum weight."""
    problems = []
    if not criteria:
        return ["Add at least one award criterion"]
    total = sum(int(c.get("weight") or 0) for c in criteria)
    if total != 100:
        problems.append(f"The weights add up to {total}%: they must add up to 100%")
    kinds = [c.get("kind") for c in criteria]
    if kinds.count(AwardCriterion.Kind.PRICE) > 1:
        problems.append("Use one price criterion")
    if kinds.count(AwardCriterion.Kind.SOCIAL_VALUE) > 1:
        problems.append("Use one social value criterion")
    for c in criteria:
        if not str(c.get("title") or "").strip():
            problems.append("Give every criterion a title")
            break
    threshold = settings.SOCIAL_VALUE_THRESHOLD
    if estimated_value is not None and estimated_value > threshold:
        social = sum(int(c.get("weight") or 0) for c in criteria if c.get("kind") == AwardCriterion.Kind.SOCIAL_VALUE)
        minimum = settings.SOCIAL_VALUE_MIN_WEIGHT
        if social < minimum:
            problems.append(
                f"The estimated value, {money(estimated_value)}, is over {money(threshold)} (excluding VAT): social "
                f"value must carry at least {minimum}% of the weighting and bidders must send a Social Value "
                f"Proposal (it has {social}%)"
            )
    return problems


@transaction.atomic
def save_criteria(*, competition: Competition, criteria: list[Mapping[str, Any]], by: User) -> list[AwardCriterion]:
    """Replace a draft's award criteria. Refused unless the weights add up to 100 and social value
    carries its minimum weight where the threshold is passed."""
    competition = _lock(competition)
    _require_officer(competition, by)
    if competition.status != Status.DRAFT:
        raise AwardRuleError("The award criteria of a published competition cannot be changed.")
    problems = criteria_problems(criteria, competition.estimated_value)
    if problems:
        raise AwardRuleError(problems)
    competition.criteria.all().delete()
    saved = []
    for order, spec in enumerate(criteria, start=1):
        criterion = AwardCriterion(
            competition=competition,
            order=order,
            kind=spec["kind"],
            title=str(spec["title"]).strip(),
            question=spec.get("question", "") or "",
            guidance=spec.get("guidance", "") or "",
            weight=int(spec["weight"]),
            max_score=int(spec.get("max_score") or 4),
            word_limit=spec.get("word_limit") or None,
        )
        criterion.full_clean(exclude=["competition", "direct_award"])
        criterion.save()
        saved.append(criterion)
    record(
        "competition.criteria_saved",
        by=by,
        obj=competition,
        data={"criteria": [{"kind": c.kind, "title": c.title, "weight": c.weight} for c in saved]},
    )
    return saved


@transaction.atomic
def save_lots(
    *,
    competition: Competition,
    lots: list[Mapping[str, Any]],
    combined: list[Mapping[str, Any]] = (),
    by: User,
) -> list[CompetitionLot]:
    """Replace an expression of interest's lots (number, title, min and max annual bid) and the
    combined limits across named lots."""
    competition = _lock(competition)
    _require_officer(competition, by)
    if competition.status != Status.DRAFT:
        raise AwardRuleError("The lots of a published competition cannot be changed.")
    if competition.is_mini_competition:
        raise AwardRuleError("A mini-competition's lot is its framework lot.")
    if not lots:
        raise AwardRuleError("Add at least one lot")
    numbers = [int(spec["number"]) for spec in lots]
    if len(set(numbers)) != len(numbers):
        raise AwardRuleError("Give each lot a different number")
    for spec in lots:
        low, high = spec.get("min_annual_bid"), spec.get("max_annual_bid")
        if low is not None and high is not None and low > high:
            raise AwardRuleError(f"Lot {spec['number']}: the minimum bid is more than the maximum")
    for spec in combined:
        named = [int(n) for n in spec.get("lots", [])]
        if len(named) < 2 or any(n not in numbers for n in named):
            raise AwardRuleError("A combined limit names two or more of the lots, by number, for example 1,2")
        low, high = spec.get("min_total"), spec.get("max_total")
        if low is None and high is None:
            raise AwardRuleError("Give a combined limit a minimum, a maximum or both")
        if low is not None and high is not None and low > high:
            raise AwardRuleError("A combined minimum is more than its maximum")
    if Tender.objects.filter(competition=competition).exists():
        raise AwardRuleError("Responses have been started: the lots can no longer be changed.")
    competition.combined_limits.all().delete()
    competition.lots.all().delete()
    saved = {}
    for spec in sorted(lots, key=lambda s: int(s["number"])):
        saved[int(spec["number"])] = CompetitionLot.objects.create(
            competition=competition,
            number=int(spec["number"]),
            title=str(spec["title"]).strip(),
            description=spec.get("description", "") or "",
            min_annual_bid=spec.get("min_annual_bid"),
            max_annual_bid=spec.get("max_annual_bid"),
        )
    for spec in combined:
        limit = CombinedLimit.objects.create(
            competition=competition, min_total=spec.get("min_total"), max_total=spec.get("max_total")
        )
        limit.lots.set([saved[int(n)] for n in spec["lots"]])
    record(
        "competition.lots_saved",
        by=by,
        obj=competition,
        data={
            "lots": [
                {"number": lot.number, "title": lot.title, "min": lot.min_annual_bid, "max": lot.max_annual_bid}
                for lot in saved.values()
            ],
            "combined": [
                {"lots": sorted(int(n) for n in s["lots"]), "min": s.get("min_total"), "max": s.get("max_total")}
                for s in combined
            ],
        },
    )
    return list(saved.values())


def publication_problems(competition: Competition, now: datetime | None = None) -> list[str]:
    """Everything that stops a draft being published, in words an officer can act on."""
    now = _now(now)
    problems = []
    if competition.closes_at <= now:
        problems.append("The closing time must be in the future")
    if competition.clarification_deadline <= now:
        problems.append("The deadline for clarification questions must be in the future")
    lots = list(competition.lots.all())
    if not lots:
        problems.append("Add at least one lot")
    criteria = [{"kind": c.kind, "title": c.title, "weight": c.weight} for c in competition.criteria.all()]
    problems += criteria_problems(criteria, competition.estimated_value)
    for c in competition.criteria.all():
        if c.kind == AwardCriterion.Kind.QUALITY and not c.question.strip():
            problems.append(f"Write the question bidders answer for ‘{c.title}’")
    if competition.is_mini_competition:
        if not competition.areas.exists():
            problems.append("Select the areas the service covers")
        elif not selectors.eligible_suppliers(competition):
            problems.append("No supplier has an active appointment on this lot covering every area of the competition")
    return problems


@transaction.atomic
def publish_competition(*, competition: Competition, by: User, now: datetime | None = None) -> Competition:
    """Publish a draft. A mini-competition records the invited set (the eligible suppliers at this
    moment) and invites them by email in the background."""
    now = _now(now)
    competition = _lock(competition)
    _require_officer(competition, by)
    if competition.status != Status.DRAFT:
        raise AwardRuleError(f"This competition is {competition.get_status_display().lower()}, not a draft.")
    problems = publication_problems(competition, now)
    if problems:
        raise AwardRuleError(problems)
    invited = selectors.eligible_suppliers(competition) if competition.is_mini_competition else []
    CompetitionInvitation.objects.bulk_create(
        CompetitionInvitation(competition=competition, supplier=supplier, invited_at=now) for supplier in invited
    )
    competition.published_at = now
    competition.published_by = by
    _move(
        competition,
        Status.PUBLISHED,
        by=by,
        data={
            "invited": sorted(s.legal_name for s in invited),
            "closes_at": competition.closes_at,
            "clarification_deadline": competition.clarification_deadline,
        },
    )
    if invited:
        from .award_reminders import queue_invitations

        competition_id = competition.pk
        transaction.on_commit(lambda: queue_invitations(competition_id))
    return competition


def send_invitations(competition_id: int) -> int:
    """Email every invited supplier that has not yet been emailed (the background task's work)."""
    from commissioning.email import build_email

    competition = Competition.objects.select_related("buying_authority").get(pk=competition_id)
    sent = 0
    for invitation in CompetitionInvitation.objects.filter(competition=competition, emailed_at__isnull=True):
        with transaction.atomic():
            claimed = CompetitionInvitation.objects.filter(pk=invitation.pk, emailed_at__isnull=True).update(
                emailed_at=timezone.now()
            )
            if not claimed:
                continue
            recipients = _emails_of_suppliers([invitation.supplier_id])
            if recipients:
                build_email(
                    to=recipients,
                    subject=f"Invitation to tender: {competition.title}",
                    template="award/notice",
                    context={
                        "subject": f"Invitation to tender: {competition.title}",
                        "message": (
                            f"{competition.buying_authority.name} invites you to bid in the mini-competition "
                            f"{competition.reference}, {competition.title}. Responses must be submitted on the "
                            f"portal before {deadline(competition.closes_at)}."
                        ),
                        "details": [
                            ("Questions by", deadline(competition.clarification_deadline)),
                            ("Closing time", deadline(competition.closes_at)),
                        ],
                        "url": reverse("awards:provider_competition", args=[competition.pk]),
                        "action": "Read the invitation and respond",
                    },
                ).send()
                sent += 1
    return sent


@transaction.atomic
def cancel_competition(*, competition: Competition, reason: str, by: User) -> Competition:
    competition = _lock(competition)
    _require_officer(competition, by)
    if not reason.strip():
        raise _field_error("reason", "Give the reason for cancelling the competition")
    if competition.awards.exists():
        raise AwardRuleError(
            "A lot of this competition has been awarded, so it cannot be cancelled. "
            "Record each lot still to decide as not awarded instead."
        )
    was_published = competition.status != Status.DRAFT
    competition.cancelled_at = timezone.now()
    competition.cancelled_by = by
    competition.cancellation_reason = reason.strip()
    _move(competition, Status.CANCELLED, by=by, data={"reason": reason.strip()})
    if was_published:
        _notice(
            to=_emails_of_suppliers(selectors.bidder_supplier_ids(competition)),
            subject=f"Competition cancelled: {competition.title}",
            message=f"{competition.reference}, {competition.title}, has been cancelled. "
            f"{competition.cancellation_reason}",
            url=reverse("awards:provider_competitions"),
        )
    return competition


@transaction.atomic
def move_closing_time(
    *, competition: Competition, closes_at: datetime, by: User, reason: str = "", now: datetime | None = None
) -> Competition:
    """Only the owner, only forward of now, only while it has not passed; every bidder is told."""
    now = _now(now)
    competition = _lock(competition)
    _require_officer(competition, by)
    if competition.owner_id != by.pk:
        raise AwardRuleError(
            f"Only the owner of this competition, {competition.owner.full_name}, can move its closing time."
        )
    if competition.status != Status.PUBLISHED:
        raise AwardRuleError("Only a published competition's closing time can be moved.")
    if competition.has_closed(now):
        raise AwardRuleError(
            f"The closing time, {deadline(competition.closes_at)}, has passed: it can no longer be moved."
        )
    if closes_at <= now:
        raise _field_error("closes_date", "The new closing time must be in the future")
    if closes_at == competition.closes_at:
        raise _field_error("closes_date", "The new closing time is the same as the current one")
    if closes_at < competition.clarification_deadline:
        raise _field_error(
            "closes_date",
            "The new closing time must be after the deadline for questions, "
            f"{deadline(competition.clarification_deadline)}",
        )
    before = competition.closes_at
    competition.closes_at = closes_at
    competition.save()
    record(
        "competition.closing_time_moved",
        by=by,
        obj=competition,
        data={"from": before, "to": closes_at, "reason": reason},
    )
    _notice(
        to=_emails_of_suppliers(selectors.bidder_supplier_ids(competition)),
        subject=f"Closing time changed: {competition.title}",
        message=(
            f"The closing time of {competition.reference}, {competition.title}, has moved from {deadline(before)} "
            f"to {deadline(closes_at)}. {reason}".strip()
        ),
        details=[("New closing time", deadline(closes_at))],
        url=reverse("awards:provider_competition", args=[competition.pk]),
    )
    return competition


# --- Clarification questions --------------------------------------------------------------------------


@transaction.atomic
def ask_question(
    *, competition: Competition, question: str, by: User, now: datetime | None = None
) -> ClarificationQuestion:
    now = _now(now)
    supplier = _supplier_of(by)
    competition = Competition.objects.get(pk=competition.pk)
    if not selectors.may_bid(competition, supplier):
        raise PermissionDenied("Your organisation is not invited to this competition.")
    if competition.status != Status.PUBLISHED:
        raise AwardRuleError("Questions can only be asked while the competition is open.")
    if not competition.questions_open(now):
        raise _field_error("question", f"The deadline for questions was {deadline(competition.clarification_deadline)}")
    if not question.strip():
        raise _field_error("question", "Enter your question")
    asked = ClarificationQuestion.objects.create(
        competition=competition, supplier=supplier, asked_by=by, asked_at=now, question=question.strip()
    )
    record("competition.question_asked", by=by, obj=competition, data={"question": asked.pk})
    _notice(
        to=[competition.owner.email],
        subject=f"A clarification question on {competition.reference}",
        message=f"A bidder has asked a clarification question about {competition.title}. Answer it on the portal; "
        "the answer is published to every bidder without the asker's name.",
        url=reverse("awards:answer_question", args=[competition.pk, asked.pk]),
    )
    return asked


@transaction.atomic
def answer_question(
    *, question: ClarificationQuestion, answer: str, published_question: str = "", by: User, notify: bool = True
) -> ClarificationQuestion:
    """Publish the answer, and the question as worded for publication, to every bidder, anonymously.
    Bidders are emailed by the reminder sweep (once each), which `notify` runs straight away."""
    question = ClarificationQuestion.objects.select_for_update().select_related("competition").get(pk=question.pk)
    competition = question.competition
    _require_officer(competition, by)
    if competition.status != Status.PUBLISHED:
        raise AwardRuleError("Answers are published while the competition is open.")
    if question.is_published:
        raise AwardRuleError("This question has already been answered and published.")
    if not answer.strip():
        raise _field_error("answer", "Enter the answer")
    question.published_question = (published_question or question.question).strip()
    question.answer = answer.strip()
    question.answered_by = by
    question.answered_at = timezone.now()
    question.save()
    record(
        "competition.answer_published",
        by=by,
        obj=competition,
        data={"question": question.pk, "published_question": question.published_question, "answer": question.answer},
    )
    if notify:
        from .award_reminders import queue_sweep_now

        transaction.on_commit(queue_sweep_now)
    return question


# --- Bidders: responses -------------------------------------------------------------------------------


def _closed_message(competition: Competition) -> str:
    return (
        f"The closing time was {deadline(competition.closes_at)}. Your saved response is kept but can no longer "
        "be changed or submitted."
    )


@transaction.atomic
def start_tender(*, competition: Competition, lot: CompetitionLot, by: User, now: datetime | None = None) -> Tender:
    """One response per supplier per lot; starting twice returns the existing one."""
    now = _now(now)
    supplier = _supplier_of(by)
    if lot.competition_id != competition.pk:
        raise AwardRuleError("That lot is not part of this competition.")
    existing = Tender.objects.filter(lot=lot, supplier=supplier).first()
    if existing is not None:
        return existing
    if not selectors.may_bid(competition, supplier):
        raise PermissionDenied("Your organisation is not invited to this competition.")
    if not competition.is_open(now):
        raise AwardRuleError(
            _closed_message(competition) if competition.has_closed(now) else "This competition is not open."
        )
    try:
        with transaction.atomic():
            tender = Tender.objects.create(competition=competition, lot=lot, supplier=supplier, created_by=by)
    except IntegrityError:
        return Tender.objects.get(lot=lot, supplier=supplier)
    record("tender.started", by=by, obj=tender, data={"competition": competition.reference, "lot": lot.number})
    return tender


def _lock_tender(tender: Tender) -> Tender:
    return Tender.objects.select_for_update().select_related("competition", "lot").get(pk=tender.pk)


def _bounds_problem(lot: CompetitionLot, price: Decimal) -> str | None:
    if lot.min_annual_bid is not None and price < lot.min_annual_bid:
        return f"{lot}: the minimum annual bid is {money(lot.min_annual_bid)} (you entered {money(price)})"
    if lot.max_annual_bid is not None and price > lot.max_annual_bid:
        return f"{lot}: the maximum annual bid is {money(lot.max_annual_bid)} (you entered {money(price)})"
    return None


def combined_problems(tender: Tender, price: Decimal) -> list[str]:
    """Combined limits across named lots apply to the supplier's bids for those lots together: this
    one, and its others in those lots that are submitted or saved with a value (so a supplier bidding
    for two lots can submit the first while the second is still being written)."""
    problems = []
    for limit in selectors.combined_limits_for(tender.lot):
        numbers = [lot.number for lot in limit.lots.all()]
        others = Tender.objects.filter(
            lot__in=[lot.pk for lot in limit.lots.all()], supplier=tender.supplier_id, annual_price__isnull=False
        ).exclude(pk=tender.pk)
        total = price + sum((t.annual_price for t in others), Decimal(0))
        label = CombinedLimit.label_for(numbers)
        if limit.min_total is not None and total < limit.min_total:
            problems.append(
                f"Your bids for {label} together come to {money(total)} a year: together they must be at least "
                f"{money(limit.min_total)}"
            )
        if limit.max_total is not None and total > limit.max_total:
            problems.append(
                f"Your bids for {label} together come to {money(total)} a year: together they must be no more than "
                f"{money(limit.max_total)}"
            )
    return problems


def _store_document(tender: Tender, kind: str, upload: UploadedFile, by: User, now: datetime) -> TenderDocument:
    try:
        validate_upload(upload)
    except ValidationError as error:
        raise _field_error(
            "budget" if kind == TenderDocument.Kind.BUDGET else "supporting", " ".join(error.messages)
        ) from error
    TenderDocument.objects.filter(tender=tender, kind=kind, replaced_at__isnull=True).update(replaced_at=now)
    document = TenderDocument(
        tender=tender,
        kind=kind,
        name=upload.name,
        sha256=sha256_of(upload),
        size=upload.size or 0,
        uploaded_by=by,
        uploaded_at=now,
    )
    document.file.save(upload.name, upload, save=False)
    document.save()
    return document


@transaction.atomic
def save_tender(
    *,
    tender: Tender,
    by: User,
    now: datetime | None = None,
    annual_price: Decimal | None = None,
    answers: Mapping[int, str] | None = None,
    is_consortium: bool | None = None,
    members: list[Mapping[str, str]] | None = None,
    social_value_summary: str | None = None,
    commitments: list[Mapping[str, Any]] | None = None,
    uploads: Mapping[str, UploadedFile] | None = None,
    autosave: bool = False,
) -> Tender:
    """Save a draft on the server. Only what is given changes; an autosave sends text only and is not
    audited. Refused once the closing time has passed: what was saved stays saved."""
    now = _now(now)
    tender = _lock_tender(tender)
    _require_supplier_of(tender, by)
    competition = tender.competition
    if not tender.is_editable:
        raise AwardRuleError("This response has been submitted. Withdraw it to change it.")
    if not competition.is_open(now):
        raise AwardRuleError(_closed_message(competition))
    if holds_nul_character(*(answers or {}).values(), social_value_summary):
        raise AwardRuleError(CANNOT_BE_SAVED)
    changed = []
    if annual_price is not None:
        price = _money(annual_price, field="annual_price")
        if price <= 0:
            raise _field_error("annual_price", "Enter an annual price of more than £0")
        problem = _bounds_problem(tender.lot, price)
        if problem:
            raise _field_error("annual_price", problem)
        tender.annual_price = price
        changed.append("annual_price")
    if answers:
        allowed = {c.pk for c in selectors.answerable_criteria(competition)}
        for criterion_id, text in answers.items():
            if criterion_id not in allowed:
                raise AwardRuleError("That question is not part of this competition.")
            TenderAnswer.objects.update_or_create(tender=tender, criterion_id=criterion_id, defaults={"text": text})
        changed.append("answers")
    if is_consortium is not None:
        tender.is_consortium = is_consortium
        changed.append("consortium")
    if tender.is_consortium is False:
        members = []  # a sole bidder names no members; anything typed in the member rows is not kept
    if members is not None:
        tender.consortium_members.all().delete()
        for spec in members:
            if not (spec.get("name") or "").strip():
                continue
            if not (spec.get("role") or "").strip():
                raise AwardRuleError(f"Enter what {spec['name']} will deliver in the consortium")
            TenderConsortiumMember.objects.create(
                tender=tender,
                name=spec["name"].strip(),
                registration_number=(spec.get("registration_number") or "").strip(),
                role=spec["role"].strip(),
                supplier=Supplier.objects.filter(legal_name__iexact=spec["name"].strip()).first(),
            )
        changed.append("members")
    if social_value_summary is not None:
        tender.social_value_summary = social_value_summary
        changed.append("social_value")
    if commitments is not None:
        tender.commitments.all().delete()
        for spec in commitments:
            commitment = TenderCommitment(tender=tender, **spec)
            try:
                commitment.full_clean(exclude=["tender"])
            except ValidationError as error:
                raise AwardRuleError(f"Commitment ‘{spec.get('measure', '')}’: {' '.join(error.messages)}") from error
            commitment.save()
        changed.append("commitments")
    for kind, upload in (uploads or {}).items():
        if upload is not None:
            _store_document(tender, kind, upload, by, now)
            changed.append(f"file:{kind}")
    tender.save()
    if not autosave and changed:
        record("tender.saved", by=by, obj=tender, data={"changed": changed})
    return tender


def social_value_needed(tender: Tender) -> bool:
    """A Social Value Proposal is required over the threshold and whenever social value is scored."""
    competition = tender.competition
    return competition.social_value_required or any(c.is_social_value and c.weight for c in competition.criteria.all())


def submission_problems(tender: Tender) -> list[tuple[str, str]]:
    """(field, message) for everything that stops this response being submitted."""
    problems: list[tuple[str, str]] = []
    competition = tender.competition
    if tender.annual_price is None:
        problems.append(("annual_price", "Enter your annual price (bid value)"))
    else:
        problem = _bounds_problem(tender.lot, tender.annual_price)
        if problem:
            problems.append(("annual_price", problem))
        for message in combined_problems(tender, tender.annual_price):
            problems.append(("annual_price", message))
    answers = {a.criterion_id: a.text for a in tender.answers.all()}
    for criterion in selectors.answerable_criteria(competition):
        text = answers.get(criterion.pk, "")
        if not text.strip():
            problems.append((f"answer_{criterion.pk}", f"Answer ‘{criterion.title}’"))
        elif criterion.word_limit and len(text.split()) > criterion.word_limit:
            problems.append(
                (
                    f"answer_{criterion.pk}",
                    f"Your answer to ‘{criterion.title}’ must be {criterion.word_limit} words or fewer",
                )
            )
    if tender.is_consortium is None:
        problems.append(("is_consortium", "Say whether you are bidding as the lead of a consortium"))
    elif tender.is_consortium and not tender.consortium_members.exists():
        problems.append(("member_0_name", "Name at least one member of your consortium"))
    if social_value_needed(tender):
        if not tender.social_value_summary.strip():
            problems.append(("social_value_summary", "Write your Social Value Proposal"))
        if not tender.commitments.exists():
            problems.append(("commitment_0_measure", "Add at least one social value commitment"))
    if (
        competition.requires_budget_template
        and not tender.documents.filter(kind=TenderDocument.Kind.BUDGET, replaced_at__isnull=True).exists()
    ):
        problems.append(("budget", "Upload your completed budget template"))
    return problems


def _snapshot(tender: Tender) -> dict:
    return {
        "annual_price": tender.annual_price,
        "answers": {str(a.criterion_id): a.text for a in tender.answers.all()},
        "is_consortium": tender.is_consortium,
        "members": [
            {"name": m.name, "registration_number": m.registration_number, "role": m.role}
            for m in tender.consortium_members.all()
        ],
        "social_value_summary": tender.social_value_summary,
        "commitments": [
            {"theme": c.theme, "measure": c.measure, "unit": c.unit, "target": c.target, "due_on": c.due_on}
            for c in tender.commitments.all()
        ],
        "documents": [
            {"id": d.pk, "kind": d.kind, "name": d.name, "sha256": d.sha256, "size": d.size}
            for d in tender.documents.filter(replaced_at__isnull=True)
        ],
    }


@transaction.atomic
def submit_tender(*, tender: Tender, by: User, now: datetime | None = None) -> Tender:
    """Refused at or after the closing time. The competition and tender rows are locked, so a double
    click or a retry never makes two submissions: the second finds it submitted and does nothing."""
    now = _now(now)
    competition = _lock(tender.competition)
    tender = _lock_tender(tender)
    _require_supplier_of(tender, by)
    if tender.status == TenderStatus.SUBMITTED:
        return tender
    if not tender.is_editable:
        raise AwardRuleError("This response can no longer be submitted.")
    if not competition.is_open(now):
        raise AwardRuleError(_closed_message(competition))
    problems = submission_problems(tender)
    if problems:
        raise AwardRuleError(_grouped(problems))
    tender.version += 1
    files = [
        {"kind": d.get_kind_display(), "name": d.name, "sha256": d.sha256, "size": d.size}
        for d in tender.documents.filter(replaced_at__isnull=True)
    ]
    receipt = {
        "reference": f"{tender.reference}-v{tender.version}",
        "competition": f"{competition.reference}: {competition.title}",
        "lot": str(tender.lot),
        "version": tender.version,
        "received_at": now.isoformat(),
        "submitted_by": by.email,
        "files": files,
    }
    TenderVersion.objects.create(
        tender=tender,
        number=tender.version,
        submitted_at=now,
        submitted_by=by,
        content=_json_ready(_snapshot(tender)),
        receipt=receipt,
    )
    tender.status = TenderStatus.SUBMITTED
    tender.submitted_at = now
    tender.submitted_by = by
    tender.withdrawn_at = None
    tender.receipt = receipt
    tender.save()
    record(
        "tender.submitted",
        by=by,
        obj=tender,
        data={
            "competition": competition.reference,
            "lot": tender.lot.number,
            "version": tender.version,
            "received_at": now,
            "files_sha256": [f["sha256"] for f in files],
        },
    )
    _notice(
        to=_emails_of_suppliers([tender.supplier_id]),
        subject=f"Response received: {competition.title}",
        message=(
            f"We received your response to {tender.lot} of {competition.reference} at "
            f"{timezone.localtime(now):%H:%M:%S on %d %B %Y} (UK time). Your receipt reference is "
            f"{receipt['reference']}. It stays sealed until the closing time."
        ),
        details=[("Closing time", deadline(competition.closes_at))]
        + [(f"{f['kind']}: {f['name']}", f"SHA-256 {f['sha256']}") for f in files],
        url=reverse("awards:tender_receipt", args=[tender.pk]),
        action="See your receipt",
    )
    return tender


def _grouped(problems: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for field, message in problems:
        grouped.setdefault(field, []).append(message)
    return grouped


def _json_ready(value):
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


@transaction.atomic
def withdraw_tender(*, tender: Tender, by: User, now: datetime | None = None) -> Tender:
    """Withdraw a submitted response before the closing time; it can be changed and submitted again."""
    now = _now(now)
    competition = _lock(tender.competition)
    tender = _lock_tender(tender)
    _require_supplier_of(tender, by)
    if tender.status != TenderStatus.SUBMITTED:
        raise AwardRuleError("Only a submitted response can be withdrawn.")
    if not competition.is_open(now):
        raise AwardRuleError(
            f"The closing time was {deadline(competition.closes_at)}: a submitted response can no longer be withdrawn."
        )
    tender.status = TenderStatus.WITHDRAWN
    tender.withdrawn_at = now
    tender.save()
    TenderVersion.objects.filter(tender=tender, number=tender.version).update(withdrawn_at=now)
    record("tender.withdrawn", by=by, obj=tender, data={"version": tender.version})
    return tender


# --- Opening, by two officers -------------------------------------------------------------------------


@transaction.atomic
def request_opening(*, competition: Competition, by: User, now: datetime | None = None) -> Competition:
    """The first officer asks to open the responses; a second, different officer must confirm."""
    now = _now(now)
    competition = _lock(competition)
    _require_officer(competition, by)
    if competition.status != Status.PUBLISHED:
        raise AwardRuleError("Only a published competition's responses can be opened.")
    if not competition.has_closed(now):
        raise AwardRuleError(f"The responses are sealed until the closing time, {deadline(competition.closes_at)}.")
    if competition.opening_requested_at is not None:
        raise AwardRuleError("Opening has already been requested: a second officer must confirm it.")
    competition.opening_requested_at = now
    competition.opening_requested_by = by
    competition.save()
    record(
        "competition.opening_requested",
        by=by,
        obj=competition,
        data={"received": selectors.received_count(competition)},
    )
    _notice(
        to=_officer_emails(competition.buying_authority_id, exclude=by),
        subject=f"Confirm the opening of {competition.reference}",
        message=f"{by.full_name} has asked to open the responses to {competition.title}. A second officer must "
        "confirm before anyone can see them.",
        url=reverse("awards:open_responses", args=[competition.pk]),
    )
    return competition


@transaction.atomic
def confirm_opening(*, competition: Competition, by: User, now: datetime | None = None) -> Competition:
    """The second officer confirms: the responses are unsealed. The same officer cannot do both."""
    now = _now(now)
    competition = _lock(competition)
    _require_officer(competition, by)
    if competition.status != Status.PUBLISHED:
        raise AwardRuleError("Only a published competition's responses can be opened.")
    if competition.opening_requested_at is None:
        raise AwardRuleError("Ask to open the responses first; a second officer then confirms.")
    if competition.opening_requested_by_id == by.pk:
        raise AwardRuleError("You asked to open these responses: a second, different officer must confirm the opening.")
    if not competition.has_closed(now):
        raise AwardRuleError(f"The responses are sealed until the closing time, {deadline(competition.closes_at)}.")
    opened = Tender.objects.filter(competition=competition, status=TenderStatus.SUBMITTED)
    counts = {str(n): c for n, c in selectors.received_by_lot(competition).items()}
    opened.update(status=TenderStatus.OPENED)
    competition.opened_at = now
    competition.opened_by = by
    _move(
        competition,
        Status.CLOSED,
        by=by,
        data={"requested_by": competition.opening_requested_by.email, "confirmed_by": by.email, "opened": counts},
    )
    _refresh_evaluation(competition, by=by)
    return competition


# --- Evaluation ---------------------------------------------------------------------------------------


def _eligible_evaluator(user: User) -> bool:
    return user.is_active and user.role in {User.Role.EVALUATOR, User.Role.OFFICER}


@transaction.atomic
def assign_tender_evaluators(*, competition: Competition, evaluators: list[User], by: User) -> list[TenderAssignment]:
    """Assign evaluators to every opened response; each declares conflicts before seeing anything."""
    competition = _lock(competition)
    _require_officer(competition, by)
    if competition.status != Status.CLOSED:
        raise AwardRuleError("Evaluators are assigned once the responses have been opened, before evaluation ends.")
    for evaluator in evaluators:
        if not _eligible_evaluator(evaluator):
            raise AwardRuleError(f"{evaluator.full_name} cannot evaluate.")
    tenders = list(Tender.objects.filter(competition=competition, status=TenderStatus.OPENED))
    if not tenders:
        raise AwardRuleError("There are no opened responses to evaluate.")
    existing = set(
        TenderAssignment.objects.filter(tender__competition=competition).values_list("evaluator_id", flat=True)
    )
    if len(existing | {e.pk for e in evaluators}) < 2:
        raise _field_error("evaluators", "Assign at least two evaluators")
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
        _notice(
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
        _notice(
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
    tender = _lock_tender(tender)
    competition = tender.competition
    _require_officer(competition, by)
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
    _refresh_evaluation(competition, by=by)
    return moderated


def _refresh_evaluation(competition: Competition, *, by: User) -> None:
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
        _move(competition, Status.EVALUATED, by=by)


# The stated price formula lives with the results it feeds.
price_points = selectors.price_points


# --- Award and standstill -----------------------------------------------------------------------------


def _lock_undecided_lot(lot: CompetitionLot, by: User) -> Competition:
    """Lock the competition for a decision on `lot`: by one of its officers, once evaluated, and only
    while the lot is neither awarded nor recorded as not awarded."""
    competition = _lock(lot.competition)
    _require_officer(competition, by)
    if competition.status not in {Status.EVALUATED, Status.AWARDED}:
        raise AwardRuleError("Decide on a lot once every opened response has been scored and moderated.")
    if Award.objects.filter(lot=lot).exists():
        raise AwardRuleError(f"{lot} has already been awarded.")
    if NoAward.objects.filter(lot=lot).exists():
        raise AwardRuleError(f"{lot} has already been recorded as not awarded.")
    return competition


@transaction.atomic
def decide_award(
    *,
    lot: CompetitionLot,
    tender: Tender,
    reasons: str,
    by: User,
    skip_standstill_reason: str = "",
    now: datetime | None = None,
) -> Award:
    """Record the winner of a lot and why. Each bidder in the lot gets an assessment summary (PDF) and
    an email; the standstill runs before the contract is created (light-touch awards may skip it with
    a recorded reason)."""
    from .award_reports import ASSESSMENT_SUMMARY

    now = _now(now)
    competition = _lock_undecided_lot(lot, by)
    if tender.lot_id != lot.pk:
        raise _field_error("tender", "That response is not for this lot")
    results = selectors.lot_results(lot)
    if not results:
        raise AwardRuleError(f"{lot} has no scored responses.")
    winner = next((r for r in results if r.tender.pk == tender.pk), None)
    if winner is None:
        raise _field_error("tender", "That response has not been scored")
    if winner.rank != 1:
        raise _field_error(
            "tender",
            f"The award goes to the highest-ranked response ({results[0].total} points); "
            f"this one is ranked {winner.rank}",
        )
    if not reasons.strip():
        raise _field_error("reasons", "Give the reasons for the award")
    value = contract_total(competition.contract_start_on, competition.term_months, winner.tender.annual_price)
    if contract_services.social_value_required(Contract.Kind.CONTRACT, value) and not (
        winner.tender.social_value_summary.strip() and selectors.social_value_criterion(competition)
    ):
        raise AwardRuleError(
            f"The contract would be worth {money(value)} (excluding VAT), over "
            f"{money(settings.SOCIAL_VALUE_THRESHOLD)}: "
            "it needs a Social Value Proposal scored and moderated in this competition, which it does not have."
        )
    skip = skip_standstill_reason.strip()
    if skip and not competition.is_light_touch:
        raise _field_error("skip_standstill_reason", "Only a light-touch award may skip the standstill period")
    award = Award.objects.create(
        competition=competition,
        lot=lot,
        tender=winner.tender,
        annual_value=winner.tender.annual_price,
        reasons=reasons.strip(),
        results=_json_ready([r.as_dict() for r in results]),
        decided_by=by,
        decided_at=now,
        standstill_ends_on=None
        if skip
        else add_working_days(timezone.localdate(now), settings.STANDSTILL_WORKING_DAYS),
        standstill_skipped_reason=skip,
    )
    for result in results:
        result.tender.status = (
            TenderStatus.SUCCESSFUL if result.tender.pk == winner.tender.pk else TenderStatus.UNSUCCESSFUL
        )
        result.tender.save(update_fields=["status", "updated_at"])
    record(
        "competition.award_decided",
        by=by,
        obj=competition,
        data={
            "lot": lot.number,
            "winner": winner.tender.supplier.legal_name,
            "annual_value": award.annual_value,
            "reasons": award.reasons,
            "ranking": [(r.tender.supplier.legal_name, r.total) for r in results],
            "standstill_ends_on": award.standstill_ends_on,
            "standstill_skipped_reason": skip,
        },
    )
    for result in results:
        request_document(kind=ASSESSMENT_SUMMARY, target=result.tender, by=by)
        successful = result.tender.pk == winner.tender.pk
        _notice(
            to=_emails_of_suppliers([result.tender.supplier_id]),
            subject=f"Outcome of your response: {competition.title}",
            message=(
                f"Your response to {lot} of {competition.reference} was "
                f"{'successful' if successful else 'not successful'}. Your assessment summary, with your scores "
                "and the reasons beside the winning response's, is on the portal."
                + (
                    f" The standstill period runs to the end of {award.standstill_ends_on:%d %B %Y}."
                    if award.standstill_ends_on
                    else ""
                )
            ),
            url=reverse("awards:provider_tender", args=[result.tender.pk]),
            action="Read your assessment summary",
        )
    _settle_if_every_lot_decided(competition, by=by, now=now)
    return award


def _settle_if_every_lot_decided(competition: Competition, *, by: User, now: datetime) -> None:
    """Once every lot with scored responses is awarded or not awarded, the competition moves on: to
    its standstill when at least one lot was awarded (and straight on to contracted when each award
    already has its contract), otherwise it ends as cancelled."""
    if competition.status != Status.EVALUATED:
        return
    awarded = set(Award.objects.filter(competition=competition).values_list("lot_id", flat=True))
    not_awarded = set(NoAward.objects.filter(competition=competition).values_list("lot_id", flat=True))
    to_decide = set(
        Tender.objects.filter(competition=competition, status__in=Tender.IN_EVALUATION).values_list("lot_id", flat=True)
    )
    if not to_decide <= awarded | not_awarded:
        return
    if awarded:
        _move(competition, Status.AWARDED, by=by)
        _contracted_if_every_award_is(competition, by=by)
        return
    competition.cancelled_at = now
    competition.cancelled_by = by
    competition.cancellation_reason = "No lot was awarded."
    _move(competition, Status.CANCELLED, by=by, data={"reason": competition.cancellation_reason})


@transaction.atomic
def decide_no_award(*, lot: CompetitionLot, reasons: str, by: User, now: datetime | None = None) -> NoAward:
    """Record that a lot will not be awarded, and why: for example no response met the quality
    threshold, or every price was beyond the budget. Its bidders are told the reasons by email."""
    now = _now(now)
    competition = _lock_undecided_lot(lot, by)
    if not reasons.strip():
        raise _field_error("reasons", "Give the reasons for not awarding the lot")
    tenders = list(
        Tender.objects.filter(lot=lot, status__in=Tender.IN_EVALUATION).select_related("supplier").order_by("pk")
    )
    if not tenders:
        raise AwardRuleError(f"{lot} has no opened responses to decide on.")
    decision = NoAward.objects.create(
        competition=competition, lot=lot, reasons=reasons.strip(), decided_by=by, decided_at=now
    )
    for tender in tenders:
        tender.status = TenderStatus.UNSUCCESSFUL
        tender.save(update_fields=["status", "updated_at"])
    record(
        "competition.lot_not_awarded",
        by=by,
        obj=competition,
        data={"lot": lot.number, "reasons": decision.reasons, "bidders": [t.supplier.legal_name for t in tenders]},
    )
    for tender in tenders:
        _notice(
            to=_emails_of_suppliers([tender.supplier_id]),
            subject=f"Outcome of your response: {competition.title}",
            message=(
                f"{lot} of {competition.reference} will not be awarded, so your response was not successful. "
                f"The reasons: {decision.reasons}"
            ),
            url=reverse("awards:provider_tender", args=[tender.pk]),
            action="Read your response",
        )
    _settle_if_every_lot_decided(competition, by=by, now=now)
    return decision


@transaction.atomic
def create_award_contract(
    *, award: Award, reference: str, start_on: date, by: User, today: date | None = None
) -> Contract:
    """After the standstill, create the contract from the award, copying the Social Value Proposal and
    its commitments (accepted, since it was scored and moderated in the award)."""
    today = today or timezone.localdate()
    award = Award.objects.select_for_update().select_related("competition", "tender__supplier", "lot").get(pk=award.pk)
    competition = award.competition
    _require_officer(competition, by)
    if award.contract_id is not None:
        raise AwardRuleError("The contract has already been created from this award.")
    if competition.status not in {Status.AWARDED, Status.EVALUATED}:
        raise AwardRuleError(
            f"A competition that is {competition.get_status_display().lower()} has no award to contract."
        )
    if not award.standstill_over(today):
        raise AwardRuleError(
            f"The standstill period runs to the end of {award.standstill_ends_on:%A %d %B %Y}: the contract can be "
            "created after that."
        )
    tender = award.tender
    several_lots = competition.lots.count() > 1
    title = f"{competition.title}: {award.lot.title}" if several_lots else competition.title
    try:
        contract = contract_services.create_contract(
            by=by,
            reference=reference.strip(),
            title=title[:250],
            scope=competition.description,
            supplier=tender.supplier,
            buying_authority=competition.buying_authority,
            start_on=start_on,
            initial_end_on=term_end(start_on, competition.term_months),
            lot=competition.framework_lot,
            areas=list(competition.areas.all()),
            consortium_members=[m.supplier for m in tender.consortium_members.all() if m.supplier_id],
            extension_months=competition.extension_list,
            annual_value=award.annual_value,
            officer_manager=competition.owner,
            origin=Contract.Origin.AWARD,
            source=award,
        )
    except contract_services.ContractRuleError as error:
        raise _field_error("reference" if error.field == "reference" else "start_on", error.text) from error
    _copy_social_value(
        contract,
        summary=tender.social_value_summary,
        commitments=[c.as_spec() for c in tender.commitments.all()],
        score=selectors.social_value_percentage(tender),
        received_on=timezone.localdate(tender.submitted_at) if tender.submitted_at else None,
        by=by,
    )
    award.contract = contract
    award.save(update_fields=["contract"])
    record(
        "competition.contract_created",
        by=by,
        obj=competition,
        data={"lot": award.lot.number, "contract": contract.reference},
    )
    _contracted_if_every_award_is(competition, by=by)
    return contract


def _contracted_if_every_award_is(competition: Competition, *, by: User) -> None:
    """An awarded competition is contracted once each of its awards has its contract."""
    if competition.status == Status.AWARDED and not competition.awards.filter(contract__isnull=True).exists():
        _move(competition, Status.CONTRACTED, by=by)


def _copy_social_value(
    contract: Contract, *, summary: str, commitments: list[dict], score, received_on, by: User
) -> None:
    if not summary.strip():
        return
    proposal = contract_services.record_social_value_proposal(
        by=by, contract=contract, summary=summary, received_on=received_on, score=score, commitments=commitments
    )
    if score is not None and commitments:
        contract_services.accept_social_value_proposal(by=by, proposal=proposal)


# --- Direct awards ------------------------------------------------------------------------------------


def direct_award_social_value_required(*, kind: str, start_on: date, term_months: int, annual_value: Decimal) -> bool:
    return contract_services.social_value_required(kind, contract_total(start_on, term_months, annual_value))


@transaction.atomic
def request_direct_award(
    *,
    by: User,
    reference: str,
    title: str,
    supplier: Supplier,
    annual_value: Decimal,
    contract_start_on: date,
    term_months: int,
    justification: str,
    explanation: str,
    kind: str = Contract.Kind.CONTRACT,
    scope: str = "",
    framework_lot: Lot | None = None,
    areas: Iterable[Area] = (),
    extension_months: str = "",
    social_value_summary: str = "",
    commitments: list[Mapping[str, Any]] = (),
) -> DirectAward:
    """Record a direct award for a second officer to approve. For a framework call-off the supplier
    must hold an active appointment on the lot covering every area; over the threshold a Social Value
    Proposal with commitments is required, and is scored and moderated before approval."""
    if not (by.is_active and by.role == User.Role.OFFICER and by.authority_id):
        raise PermissionDenied("Only officers of an authority can make direct awards.")
    areas = list(areas)
    if justification not in Justification.values:
        raise _field_error("justification", "Select the justification for a direct award")
    if not explanation.strip():
        raise _field_error("explanation", "Explain why the justification applies")
    if justification == Justification.FRAMEWORK_NO_COMPETITION and framework_lot is None:
        raise _field_error(
            "framework_lot", "A call-off without competition under section 45(4) names the framework lot"
        )
    if (
        DirectAward.objects.filter(reference=reference).exists()
        or Contract.objects.filter(reference=reference).exists()
    ):
        raise _field_error("reference", f"The reference {reference} is already used")
    value = _money(annual_value, field="annual_value")
    if value <= 0:
        raise _field_error("annual_value", "Enter an annual value of more than £0")
    if framework_lot is not None:
        if not areas:
            raise _field_error("areas", "Select the areas the call-off covers")
        if not selectors.appointment_covers(framework_lot, supplier, areas):
            raise _field_error(
                "supplier",
                f"{supplier} has no active appointment on {framework_lot} covering every selected area",
            )
    sv_required = direct_award_social_value_required(
        kind=kind, start_on=contract_start_on, term_months=term_months, annual_value=value
    )
    if sv_required and not social_value_summary.strip():
        raise _field_error(
            "social_value_summary",
            f"The total value, {money(contract_total(contract_start_on, term_months, value))}, is over "
            f"{money(settings.SOCIAL_VALUE_THRESHOLD)} (excluding VAT): record the supplier's Social Value Proposal",
        )
    if sv_required and not commitments:
        raise _field_error("commitment_0_measure", "Add at least one social value commitment")
    direct_award = DirectAward.objects.create(
        reference=reference.strip(),
        title=title.strip(),
        scope=scope,
        kind=kind,
        supplier=supplier,
        framework_lot=framework_lot,
        buying_authority_id=by.authority_id,
        annual_value=value,
        contract_start_on=contract_start_on,
        term_months=term_months,
        extension_months=",".join(str(m) for m in parse_months(extension_months)),
        justification=justification,
        explanation=explanation.strip(),
        social_value_summary=social_value_summary.strip(),
        requested_by=by,
    )
    direct_award.areas.set(areas)
    for spec in commitments:
        commitment = DirectAwardCommitment(direct_award=direct_award, **spec)
        commitment.full_clean(exclude=["direct_award"])
        commitment.save()
    if sv_required:
        AwardCriterion.objects.create(
            direct_award=direct_award,
            kind=AwardCriterion.Kind.SOCIAL_VALUE,
            title="Social Value Proposal",
            weight=100,
            max_score=4,
            guidance="Score the proposal's commitments: relevant, measurable, deliverable within the contract.",
        )
    record(
        "direct_award.requested",
        by=by,
        obj=direct_award,
        data={
            "supplier": supplier.legal_name,
            "framework_lot": str(framework_lot) if framework_lot else None,
            "areas": sorted(a.name for a in areas),
            "annual_value": value,
            "justification": direct_award.get_justification_display(),
            "explanation": direct_award.explanation,
            "social_value_required": sv_required,
        },
    )
    _notice(
        to=_officer_emails(by.authority_id, exclude=by),
        subject=f"Direct award to approve: {direct_award.reference}",
        message=f"{by.full_name} asks for a direct award of {direct_award.title} to {supplier.legal_name}. A second "
        "officer must approve it before the contract is created.",
        url=reverse("awards:officer_direct_award", args=[direct_award.pk]),
    )
    return direct_award


def _lock_direct_award(direct_award: DirectAward) -> DirectAward:
    return DirectAward.objects.select_for_update().get(pk=direct_award.pk)


@transaction.atomic
def assign_direct_award_evaluators(
    *, direct_award: DirectAward, evaluators: list[User], by: User
) -> list[DirectAwardAssignment]:
    direct_award = _lock_direct_award(direct_award)
    _require_officer(direct_award, by)
    if direct_award.status != DirectAward.Status.REQUESTED or not direct_award.criteria.exists():
        raise AwardRuleError("Only a requested direct award with a Social Value Proposal to score has evaluators.")
    for evaluator in evaluators:
        if not _eligible_evaluator(evaluator):
            raise AwardRuleError(f"{evaluator.full_name} cannot evaluate.")
    existing = set(direct_award.assignments.values_list("evaluator_id", flat=True))
    if len(existing | {e.pk for e in evaluators}) < 2:
        raise _field_error("evaluators", "Assign at least two evaluators")
    created = [
        DirectAwardAssignment.objects.create(direct_award=direct_award, evaluator=e, assigned_by=by)
        for e in evaluators
        if e.pk not in existing
    ]
    record(
        "direct_award.evaluators_assigned",
        by=by,
        obj=direct_award,
        data={"evaluators": [a.evaluator.email for a in created]},
    )
    for assignment in created:
        _notice(
            to=[assignment.evaluator.email],
            subject=f"A Social Value Proposal to evaluate: {direct_award.reference}",
            message=f"You have been asked to score the Social Value Proposal of the direct award {direct_award.title}. "
            "Declare any conflict of interest with the supplier first.",
            url=reverse("awards:evaluator_assignments"),
        )
    return created


@transaction.atomic
def declare_direct_award_conflict(
    *, assignment: DirectAwardAssignment, has_conflict: bool, details: str, by: User
) -> DirectAwardAssignment:
    assignment = DirectAwardAssignment.objects.select_for_update().select_related("direct_award").get(pk=assignment.pk)
    evaluation.declare(assignment, has_conflict=has_conflict, details=details, by=by)
    record(
        "evaluation.conflict_declared",
        by=by,
        obj=assignment.direct_award,
        data={"has_conflict": has_conflict, "details": details},
    )
    return assignment


@transaction.atomic
def save_direct_award_scores(
    *, assignment: DirectAwardAssignment, marks: dict[int, dict], submit: bool, by: User
) -> DirectAwardAssignment:
    assignment = DirectAwardAssignment.objects.select_for_update().select_related("direct_award").get(pk=assignment.pk)
    if assignment.direct_award.status != DirectAward.Status.REQUESTED:
        raise AwardRuleError("This direct award has been decided.")
    criteria = {c.pk: c for c in assignment.direct_award.criteria.all()}
    stored = evaluation.record_marks(
        assignment,
        criteria=criteria,
        marks=marks,
        submit=submit,
        by=by,
        score_model=DirectAwardScore,
        criterion_field="criterion",
    )
    if submit:
        record(
            "evaluation.scores_submitted",
            by=by,
            obj=assignment.direct_award,
            data={c: s.score for c, s in stored.items()},
        )
    return assignment


@transaction.atomic
def moderate_direct_award(
    *, direct_award: DirectAward, criterion: AwardCriterion, score: int | None, reason: str, by: User
) -> DirectAwardModeratedScore:
    direct_award = _lock_direct_award(direct_award)
    _require_officer(direct_award, by)
    if direct_award.status != DirectAward.Status.REQUESTED:
        raise AwardRuleError("This direct award has been decided.")
    if criterion.direct_award_id != direct_award.pk:
        raise AwardRuleError("That criterion is not part of this direct award.")
    evaluation.require_all_marks_in(direct_award.assignments.all())
    evaluation.check_agreed_mark(criterion, score=score, passed=None, reason=reason)
    moderated, _ = DirectAwardModeratedScore.objects.update_or_create(
        direct_award=direct_award,
        criterion=criterion,
        defaults={"score": score, "reason": reason.strip(), "moderated_by": by},
    )
    record(
        "evaluation.moderated",
        by=by,
        obj=direct_award,
        data={"criterion": criterion.title, "score": score, "reason": reason.strip()},
    )
    return moderated


@transaction.atomic
def approve_direct_award(
    *, direct_award: DirectAward, by: User, note: str = "", today: date | None = None
) -> DirectAward:
    """A second, different officer approves; the contract is created, with the Social Value Proposal
    and commitments, accepted with their moderated score."""
    direct_award = _lock_direct_award(direct_award)
    _require_officer(direct_award, by)
    if direct_award.status != DirectAward.Status.REQUESTED:
        raise AwardRuleError(f"This direct award is {direct_award.get_status_display().lower()}.")
    if direct_award.requested_by_id == by.pk:
        raise AwardRuleError("You asked for this direct award: a second, different officer must approve it.")
    criterion = direct_award.criteria.first()
    moderated = (
        DirectAwardModeratedScore.objects.filter(direct_award=direct_award, criterion=criterion).first()
        if criterion
        else None
    )
    if criterion is not None and moderated is None:
        raise AwardRuleError("Score and moderate the Social Value Proposal before approving the direct award.")
    areas = list(direct_award.areas.all())
    if direct_award.framework_lot_id and not selectors.appointment_covers(
        direct_award.framework_lot, direct_award.supplier, areas
    ):
        raise AwardRuleError(
            f"{direct_award.supplier} no longer has an active appointment on {direct_award.framework_lot} covering "
            "every area."
        )
    try:
        contract = contract_services.create_contract(
            by=by,
            reference=direct_award.reference,
            title=direct_award.title,
            scope=direct_award.scope,
            kind=direct_award.kind,
            supplier=direct_award.supplier,
            buying_authority=direct_award.buying_authority,
            start_on=direct_award.contract_start_on,
            initial_end_on=direct_award.contract_end_on,
            lot=direct_award.framework_lot,
            areas=areas,
            extension_months=direct_award.extension_list,
            annual_value=direct_award.annual_value,
            officer_manager=direct_award.requested_by,
            origin=Contract.Origin.DIRECT_AWARD,
            source=direct_award,
        )
    except contract_services.ContractRuleError as error:
        raise AwardRuleError(error.text) from error
    score = (
        (Decimal(moderated.score) / Decimal(criterion.max_score) * 100).quantize(PENNY)
        if moderated is not None
        else None
    )
    _copy_social_value(
        contract,
        summary=direct_award.social_value_summary,
        commitments=[c.as_spec() for c in direct_award.commitments.all()],
        score=score,
        received_on=timezone.localdate(direct_award.requested_at),
        by=by,
    )
    direct_award.status = DirectAward.Status.APPROVED
    direct_award.decided_by = by
    direct_award.decided_at = timezone.now()
    direct_award.decision_note = note.strip()
    direct_award.contract = contract
    direct_award.save()
    record(
        "direct_award.approved",
        by=by,
        obj=direct_award,
        data={
            "requested_by": direct_award.requested_by.email,
            "approved_by": by.email,
            "contract": contract.reference,
            "note": direct_award.decision_note,
            "social_value_score": score,
        },
    )
    _notice(
        to=[direct_award.requested_by.email],
        subject=f"Direct award approved: {direct_award.reference}",
        message=f"{by.full_name} approved the direct award of {direct_award.title} to {direct_award.supplier}. "
        f"Contract {contract.reference} has been created as a draft.",
        url=reverse("contracts:officer_contract", args=[contract.pk]),
    )
    return direct_award


@transaction.atomic
def reject_direct_award(*, direct_award: DirectAward, reason: str, by: User) -> DirectAward:
    direct_award = _lock_direct_award(direct_award)
    _require_officer(direct_award, by)
    if direct_award.status != DirectAward.Status.REQUESTED:
        raise AwardRuleError(f"This direct award is {direct_award.get_status_display().lower()}.")
    if direct_award.requested_by_id == by.pk:
        raise AwardRuleError("You asked for this direct award: a second, different officer decides it.")
    if not reason.strip():
        raise _field_error("note", "Give the reason for rejecting the direct award")
    direct_award.status = DirectAward.Status.REJECTED
    direct_award.decided_by = by
    direct_award.decided_at = timezone.now()
    direct_award.decision_note = reason.strip()
    direct_award.save()
    record("direct_award.rejected", by=by, obj=direct_award, data={"reason": direct_award.decision_note})
    return direct_award
