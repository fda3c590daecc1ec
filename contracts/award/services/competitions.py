"""Setting up a competition (details, criteria, lots), publishing it and inviting eligible suppliers,
cancelling it and moving its closing time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commissioning.audit import record
from commissioning.dates import long_date
from commissioning.models import Area, User
from commissioning.templatetags.portal import deadline, money
from commissioning.uploads import sha256_of, validate_upload
from contracts.award import selectors
from contracts.award.lifecycles import COMPETITION
from contracts.award.models import (
    AwardCriterion,
    CombinedLimit,
    Competition,
    CompetitionInvitation,
    CompetitionLot,
    Tender,
    parse_months,
)
from contracts.notices.services import sync_notices
from frameworks.models import Lot

from .common import (
    AwardRuleError,
    Status,
    emails_of_suppliers,
    field_error,
    lock_for_officer,
    move,
    notify,
    now_or,
    read_money,
)

# --- Setting up a competition -------------------------------------------------------------------------


def _check_dates(clarification_deadline: datetime, closes_at: datetime) -> None:
    if clarification_deadline > closes_at:
        raise field_error(
            "clarification_date", "The deadline for clarification questions must be on or before the closing time"
        )


def _store_specification(competition: Competition, upload: UploadedFile | None) -> None:
    if upload is None:
        return
    try:
        validate_upload(upload)
    except ValidationError as error:
        raise field_error("specification", " ".join(error.messages)) from error
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
        raise field_error("kind", "Select the kind of competition")
    if Competition.objects.filter(reference=reference).exists():
        raise field_error("reference", f"A competition with reference {reference} already exists")
    is_mini = kind == Competition.Kind.MINI_COMPETITION
    if is_mini and framework_lot is None:
        raise field_error("framework_lot", "Select the framework lot whose appointed providers may bid")
    if not is_mini:
        framework_lot = None
    if requires_budget_template is None:
        requires_budget_template = not is_mini
    _check_budget_template(kind, requires_budget_template)
    _check_dates(clarification_deadline, closes_at)
    competition = Competition(
        kind=kind,
        reference=reference.strip(),
        title=title.strip(),
        description=description,
        buying_authority_id=by.authority_id,
        owner=by,
        framework_lot=framework_lot,
        estimated_value=read_money(estimated_value, field="estimated_value"),
        contract_start_on=contract_start_on,
        term_months=term_months,
        extension_months=",".join(str(m) for m in parse_months(extension_months)),
        interviews=interviews,
        is_light_touch=framework_lot.framework.is_light_touch if framework_lot is not None else is_light_touch,
        requires_budget_template=requires_budget_template,
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


def _check_budget_template(kind: str, requires_budget_template: bool) -> None:
    """Seed 002: every response to an expression of interest comes with the completed budget template."""
    if kind == Competition.Kind.EXPRESSION_OF_INTEREST and not requires_budget_template:
        raise field_error(
            "requires_budget_template", "An expression of interest always asks bidders for a completed budget template"
        )


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
    competition = lock_for_officer(competition, by, "edit")
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise AwardRuleError(f"These are not edited here: {sorted(unknown)}")
    changed = {}
    for name, value in changes.items():
        if name == "extension_months":
            value = ",".join(str(m) for m in parse_months(value))
        if name == "estimated_value":
            value = read_money(value, field="estimated_value")
        if getattr(competition, name) != value:
            changed[name] = value
            setattr(competition, name, value)
    _check_budget_template(competition.kind, competition.requires_budget_template)
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
    """What stops a set of award criteria being used: weights must add up to 100; where the whole-life
    estimated value (with the extension options) is over the social value threshold, social value carries
    at least the minimum weight."""
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
                f"The whole-life estimated value, {money(estimated_value)}, is over {money(threshold)} "
                f"(excluding VAT): social value must carry at least {minimum}% of the weighting and bidders must "
                f"send a Social Value Proposal (it has {social}%)"
            )
    return problems


@transaction.atomic
def save_criteria(*, competition: Competition, criteria: list[Mapping[str, Any]], by: User) -> list[AwardCriterion]:
    """Replace a draft's award criteria. Refused unless the weights add up to 100 and social value
    carries its minimum weight where the threshold is passed."""
    competition = lock_for_officer(competition, by, "edit")
    problems = criteria_problems(criteria, competition.whole_life.amount)
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
    competition = lock_for_officer(competition, by, "edit")
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
    now = now_or(now)
    problems = []
    if competition.closes_at <= now:
        problems.append("The closing time must be in the future")
    if competition.clarification_deadline <= now:
        problems.append("The deadline for clarification questions must be in the future")
    lots = list(competition.lots.all())
    if not lots:
        problems.append("Add at least one lot")
    criteria = [{"kind": c.kind, "title": c.title, "weight": c.weight} for c in competition.criteria.all()]
    problems += criteria_problems(criteria, competition.whole_life.amount)
    for c in competition.criteria.all():
        if c.kind == AwardCriterion.Kind.QUALITY and not c.question.strip():
            problems.append(f"Write the question bidders answer for ‘{c.title}’")
    if competition.is_mini_competition and competition.framework_lot_id:
        framework = competition.framework_lot.framework
        if timezone.localdate(now) > framework.term_end:
            problems.append(
                f"The framework {framework.reference} ended on {long_date(framework.term_end)}: "
                "no call-off can be made after its end"
            )
    if competition.is_mini_competition:
        if not competition.areas.exists():
            problems.append("Select the areas the service covers")
        elif not selectors.eligible_suppliers(competition):
            problems.append("No supplier has an active appointment on this lot covering every area of the competition")
    return problems


@transaction.atomic
def publish_competition(*, competition: Competition, by: User, now: datetime | None = None) -> Competition:
    """Publish a draft. A mini-competition records the invited set (the eligible suppliers at this
    moment) and an invitation e-mail to each of their users, sent once this commits."""
    now = now_or(now)
    competition = lock_for_officer(competition, by, "publish")
    problems = publication_problems(competition, now)
    if problems:
        raise AwardRuleError(problems)
    invited = selectors.eligible_suppliers(competition) if competition.is_mini_competition else []
    CompetitionInvitation.objects.bulk_create(
        CompetitionInvitation(competition=competition, supplier=supplier, invited_at=now) for supplier in invited
    )
    competition.published_at = now
    competition.published_by = by
    move(
        competition,
        "publish",
        by=by,
        data={
            "invited": sorted(s.legal_name for s in invited),
            "closes_at": competition.closes_at,
            "clarification_deadline": competition.clarification_deadline,
        },
    )
    sync_notices(competition, by=by)
    if invited:
        send_invitations(competition.pk)
    return competition


@transaction.atomic
def send_invitations(competition_id: int) -> int:
    """Record the invitation e-mail of every invited supplier not yet invited by e-mail (each user gets
    their own), sent after the commit; running it again records nothing twice."""
    competition = Competition.objects.select_related("buying_authority").get(pk=competition_id)
    invited = 0
    for invitation in CompetitionInvitation.objects.filter(competition=competition, emailed_at__isnull=True):
        claimed = CompetitionInvitation.objects.filter(pk=invitation.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        recipients = emails_of_suppliers([invitation.supplier_id])
        if not (claimed and recipients):
            continue
        notify(
            to=recipients,
            subject=f"Invitation to tender: {competition.title}",
            message=(
                f"{competition.buying_authority.name} invites you to bid in the mini-competition "
                f"{competition.reference}, {competition.title}. Responses must be submitted on the "
                f"portal before {deadline(competition.closes_at)}."
            ),
            details=[
                ("Questions by", deadline(competition.clarification_deadline)),
                ("Closing time", deadline(competition.closes_at)),
            ],
            url=reverse("awards:provider_competition", args=[competition.pk]),
            action="Read the invitation and respond",
        )
        invited += 1
    return invited


@transaction.atomic
def cancel_competition(*, competition: Competition, reason: str, by: User) -> Competition:
    competition = lock_for_officer(competition, by)
    if not reason.strip():
        raise field_error("reason", "Give the reason for cancelling the competition")
    COMPETITION.next_status("cancel", competition.status)
    if competition.awards.exists():
        raise AwardRuleError(
            "A lot of this competition has been awarded, so it cannot be cancelled. "
            "Record each lot still to decide as not awarded instead."
        )
    was_published = competition.status != Status.DRAFT
    competition.cancelled_at = timezone.now()
    competition.cancelled_by = by
    competition.cancellation_reason = reason.strip()
    move(competition, "cancel", by=by, data={"reason": reason.strip()})
    sync_notices(competition, by=by)
    if was_published:
        notify(
            to=emails_of_suppliers(selectors.bidder_supplier_ids(competition)),
            subject=f"Competition cancelled: {competition.title}",
            message=f"{competition.reference}, {competition.title}, has been cancelled. "
            f"{competition.cancellation_reason}",
            url=reverse("awards:provider_competitions"),
        )
    return competition
