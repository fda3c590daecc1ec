"""Every write in performance monitoring: indicator sets and targets, and the quarterly return
lifecycle.

Each function is keyword-only, takes the acting user as `by=`, checks the rule, runs in a transaction
and writes an audit event. Illegal moves raise `ReturnRuleError`, a `ValidationError` keyed by the form
field it concerns (or `__all__`), so views show it next to the field and in the error summary.

The lifecycle of a return, in one place (`TRANSITIONS`):

    not started (no row) → draft → submitted → accepted
                                      ↘ returned for amendment → resubmitted → accepted
                                                 ↖______________________↙ (returned again)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from commissioning import events
from commissioning.audit import record
from commissioning.dates import Quarter, long_date
from commissioning.email import send_after_commit
from commissioning.lifecycle import IllegalMove
from commissioning.models import User
from commissioning.rules import acts_for_running_authority
from commissioning.uploads import RETURN_SPREADSHEET, sha256_of, validate_upload
from contracts.models import Contract, SocialValueCommitment

from . import figures as checks
from . import tallies
from .events import RETURN_ACCEPTED, RETURN_RETURNED, RETURN_SUBMITTED
from .figures import Figure
from .models import (
    ContractIndicator,
    Direction,
    Indicator,
    Kind,
    KPITemplate,
    QuarterlyReturn,
    Question,
    ReturnPeriod,
    ReturnReview,
    ReturnValue,
    Unit,
)

Status = QuarterlyReturn.Status
NARRATIVE_FIELDS = ("achievements", "challenges", "risks", "emerging_themes", "case_study")

# The lifecycle: which statuses each move starts from, and where it goes (None: stays as it is).
TRANSITIONS: dict[str, dict[str | None, str | None]] = {
    "save": {None: Status.DRAFT, Status.DRAFT: None, Status.RETURNED: None},
    "submit": {Status.DRAFT: Status.SUBMITTED, Status.RETURNED: Status.RESUBMITTED},
    "accept": {Status.SUBMITTED: Status.ACCEPTED, Status.RESUBMITTED: Status.ACCEPTED},
    "return": {Status.SUBMITTED: Status.RETURNED, Status.RESUBMITTED: Status.RETURNED},
}


class ReturnRuleError(ValidationError):
    """A monitoring rule refused the move; messages keyed by form field where one applies."""

    def __init__(self, message: str | list[str], *, field: str = NON_FIELD_ERRORS):
        messages = [message] if isinstance(message, str) else list(message)
        super().__init__({field: messages})
        self.field = field
        self.texts = messages

    def __str__(self) -> str:
        return " ".join(self.texts)


class IllegalReturnMove(ReturnRuleError, IllegalMove):
    """A move the return's lifecycle does not allow: the IllegalMove every lifecycle raises, and a
    ReturnRuleError like every other refusal here."""


class FigureErrors(ReturnRuleError):
    """The figures failed the checks; `errors` holds each one with the field it belongs to."""

    def __init__(self, errors: list[checks.FigureError]):
        super().__init__([e.message for e in errors])
        self.errors = errors


def next_status(move: str, status: str | None) -> str:
    """Where `move` takes a return in `status`, or an IllegalReturnMove saying why it cannot."""
    allowed = TRANSITIONS[move]
    if status not in allowed:
        label = QuarterlyReturn.Status(status).label.lower() if status else "not started"
        verbs = {
            "save": "changed",
            "submit": "submitted",
            "accept": "accepted",
            "return": "returned for amendment",
        }
        raise IllegalReturnMove(f"A return that is {label} cannot be {verbs[move]}")
    return allowed[status] or status


# Who may act ------------------------------------------------------------------------------------------


def _require_officer(user: User, contract: Contract) -> None:
    """An officer of the authority that buys the contract (commissioning.rules decides)."""
    if not acts_for_running_authority(user, contract):
        raise PermissionDenied("Only commissioning officers of the authority that buys this contract can do this.")


def _require_provider_of(contract: Contract, user: User) -> None:
    membership = getattr(user, "supplier_membership", None)
    if not (user.is_active and membership is not None and membership.supplier_id == contract.supplier_id):
        raise PermissionDenied("You do not act for this contract's provider.")


# Indicator sets and targets -------------------------------------------------------------------------------


def template_for(contract: Contract) -> KPITemplate | None:
    """The lot's template; for a contract without a lot, the default template (if there is one)."""
    if contract.lot_id:
        return KPITemplate.objects.filter(lot_id=contract.lot_id).first()
    return KPITemplate.objects.filter(is_default=True).first()


def _copy(indicator: Indicator, contract: Contract) -> ContractIndicator:
    return ContractIndicator(
        contract=contract,
        template_indicator=indicator,
        order=indicator.order,
        code=indicator.code,
        name=indicator.name,
        counted=indicator.counted,
        guidance=indicator.guidance,
        question=indicator.question,
        kind=indicator.kind,
        unit=indicator.unit,
        direction=indicator.direction,
        amber_margin=indicator.amber_margin,
        fraction_entry=indicator.fraction_entry,
        numerator_label=indicator.numerator_label,
        denominator_label=indicator.denominator_label,
        breakdowns=list(indicator.breakdowns),
        target=indicator.default_target,
    )


def _social_value_unit(commitment: SocialValueCommitment) -> str:
    return Unit.MONEY if commitment.unit.strip().lower() in {"£", "gbp", "pounds"} else Unit.COUNT


def _from_commitment(commitment: SocialValueCommitment, contract: Contract, n: int) -> ContractIndicator:
    return ContractIndicator(
        contract=contract,
        commitment=commitment,
        order=1000 + n,
        code=f"SV{commitment.pk}",
        name=commitment.measure[:200],
        counted=commitment.unit[:100],
        guidance=f"Delivered in the quarter. The commitment is {commitment.target.normalize():f} {commitment.unit} "
        f"by {long_date(commitment.due_on)} ({commitment.get_theme_display()}).",
        question=Question.SOCIAL_VALUE,
        kind=Kind.OUTPUT,
        unit=_social_value_unit(commitment),
        direction=Direction.HIGHER,
        amber_margin=(commitment.target * Decimal("0.1")).quantize(Decimal("0.01")),
        target=commitment.target,
        target_due_on=commitment.due_on,
    )


def set_up_indicators(
    *, contract: Contract, by: User | None, template: KPITemplate | None = None
) -> list[ContractIndicator]:
    """Give the contract its indicator set: a copy of its template's indicators (default targets, which
    officers then change per contract) plus one indicator per social value commitment. Safe to call again:
    it adds only what is missing (for example a commitment recorded later).

    Called when monitoring hears that a contract went live or that its social value commitments changed
    (`handlers`), and by `manage.py set_up_indicators`; never by a page. The set is often complete
    already: that is checked first, in two queries and without a lock; only a set with something
    missing is locked and added to."""
    existing = list(ContractIndicator.objects.filter(contract=contract).order_by("order", "pk"))
    if _set_is_complete(contract, existing, template):
        return existing
    return _add_missing_indicators(contract=contract, by=by, template=template)


def set_up_missing_indicators(*, by: User | None = None) -> list[Contract]:
    """Give every live contract whatever its indicator set lacks: for contracts that went live before
    monitoring heard of it (an existing database) or whose `contract went live` handler failed.
    Idempotent; returns the contracts that were given something."""
    completed = []
    for contract in Contract.objects.filter(activated_at__isnull=False).order_by("pk"):
        before = ContractIndicator.objects.filter(contract=contract).count()
        if len(set_up_indicators(contract=contract, by=by)) != before:
            completed.append(contract)
    return completed


def _has_template_copy(indicators: Iterable[ContractIndicator]) -> bool:
    return any(i.template_indicator_id or not i.commitment_id for i in indicators)


def _set_is_complete(contract: Contract, existing: list[ContractIndicator], template: KPITemplate | None) -> bool:
    if not _has_template_copy(existing) and (template or template_for(contract)) is not None:
        return False
    covered = {i.commitment_id for i in existing if i.commitment_id}
    commitments = SocialValueCommitment.objects.filter(proposal__contract=contract).values_list("pk", flat=True)
    return set(commitments) <= covered


@transaction.atomic
def _add_missing_indicators(
    *, contract: Contract, by: User | None, template: KPITemplate | None
) -> list[ContractIndicator]:
    Contract.objects.select_for_update().filter(pk=contract.pk).first()  # one set-up at a time
    existing = list(ContractIndicator.objects.filter(contract=contract))
    added: list[ContractIndicator] = []
    has_template_copy = _has_template_copy(existing)
    template = template or template_for(contract)
    if template is not None and not has_template_copy:
        added += [_copy(indicator, contract) for indicator in template.indicators.all()]
    covered = {i.commitment_id for i in existing if i.commitment_id}
    commitments = SocialValueCommitment.objects.filter(proposal__contract=contract).order_by("due_on", "pk")
    for n, commitment in enumerate(commitments, start=1):
        if commitment.pk not in covered:
            added.append(_from_commitment(commitment, contract, n))
    if added:
        ContractIndicator.objects.bulk_create(added)
        record(
            "monitoring.indicators_set_up",
            by=by,
            obj=contract,
            data={
                "template": template.name if template is not None and not has_template_copy else "",
                "added": [i.code for i in added],
            },
        )
    return list(ContractIndicator.objects.filter(contract=contract).order_by("order", "pk"))


@transaction.atomic
def set_targets(
    *,
    contract: Contract,
    targets: Mapping[int, tuple[Decimal | None, Decimal]],
    by: User,
) -> list[ContractIndicator]:
    """Officers set the contract's own targets and amber margins: {indicator pk: (target, margin)}."""
    _require_officer(by, contract)
    indicators = {i.pk: i for i in ContractIndicator.objects.select_for_update().filter(contract=contract)}
    changes = {}
    for pk, (target, margin) in targets.items():
        indicator = indicators.get(pk)
        if indicator is None:
            raise ReturnRuleError("That indicator is not part of this contract's set")
        if target is not None and target < 0:
            raise ReturnRuleError(f"The target for {indicator.name} cannot be negative", field=f"target_{pk}")
        if indicator.is_fraction and target is not None and target > 100:
            raise ReturnRuleError(f"The target for {indicator.name} must be between 0 and 100", field=f"target_{pk}")
        if margin is None or margin < 0:
            raise ReturnRuleError(f"The amber margin for {indicator.name} must be 0 or more", field=f"margin_{pk}")
        if (indicator.target, indicator.amber_margin) != (target, margin):
            changes[indicator.code] = {
                "target": [indicator.target, target],
                "amber_margin": [indicator.amber_margin, margin],
            }
            indicator.target, indicator.amber_margin = target, margin
    ContractIndicator.objects.bulk_update(indicators.values(), ["target", "amber_margin"])
    if changes:
        record("monitoring.targets_changed", by=by, obj=contract, data={"changes": changes})
    return sorted(indicators.values(), key=lambda i: (i.order, i.pk))


# Saving a return ----------------------------------------------------------------------------------------


def return_is_due(contract: Contract, quarter: Quarter) -> bool:
    """A return is due for every contract in force (gone live, not ended) on any day of the quarter."""
    return Contract.objects.in_force_during(quarter.start, quarter.end).filter(pk=contract.pk).exists()


def _check_due(contract: Contract, quarter: Quarter, today: date) -> None:
    if today < quarter.start:
        raise ReturnRuleError(f"The return for {quarter.label} cannot be started before the quarter begins")
    if not return_is_due(contract, quarter):
        raise ReturnRuleError(f"No return is due for {contract.reference} for {quarter.label}")


def contract_areas(contract: Contract) -> list:
    from commissioning.models import Area

    areas = list(contract.areas.all())
    return areas or list(Area.objects.order_by("name"))


def _write_values(quarterly_return: QuarterlyReturn, indicators: Iterable[ContractIndicator], figures) -> int:
    """Store the figures: new ones created, changed ones updated, blanked ones deleted; a figure saved
    again unchanged is left as it is. Returns how many figures the return now has."""
    existing = {v.indicator_id: v for v in quarterly_return.values.order_by()}
    create, update, delete = [], [], []
    filled = 0
    for indicator in indicators:
        figure: Figure | None = figures.get(indicator.pk)
        value = existing.get(indicator.pk)
        if figure is None or figure.is_empty:
            if value is not None:
                delete.append(value.pk)
            continue
        filled += 1
        fields = {
            "value": figure.value,
            "numerator": figure.numerator,
            "denominator": figure.denominator,
            "breakdowns": figure.breakdowns,
        }
        if value is None:
            create.append(ReturnValue(quarterly_return=quarterly_return, indicator=indicator, **fields))
        elif any(getattr(value, name) != new for name, new in fields.items()):
            for name, new in fields.items():
                setattr(value, name, new)
            update.append(value)
    if create:
        ReturnValue.objects.bulk_create(create)
    if update:
        ReturnValue.objects.bulk_update(update, ["value", "numerator", "denominator", "breakdowns"])
    if delete:
        ReturnValue.objects.filter(pk__in=delete).delete()
    return filled


@transaction.atomic
def save_return(
    *,
    contract: Contract,
    quarter: Quarter,
    raw: Mapping[str, object],
    narrative: Mapping[str, str],
    by: User,
    document: UploadedFile | None = None,
    complete: bool = False,
    now: datetime | None = None,
    indicators: list[ContractIndicator] | None = None,
    areas: list | None = None,
) -> QuarterlyReturn:
    """Start (not started → draft) or change a draft, or a return sent back for amendment.

    `raw` holds the figures as typed (see `figures`); they are checked, and nothing is saved if any
    check fails (`FigureErrors`). `complete=True` also needs every figure and breakdowns that add up,
    as for submitting (used by the spreadsheet upload). A caller that has just read the contract's
    indicator set (`set_up_indicators`) and areas (`contract_areas`), as the web form does, passes them
    so that they are not read again.
    """
    now = now or timezone.now()
    _require_provider_of(contract, by)
    _check_due(contract, quarter, timezone.localdate(now))
    # Only the return's own row is locked: every provider's return shares the period row.
    quarterly_return = (
        QuarterlyReturn.objects.select_for_update(of=("self",))
        .select_related("period")
        .filter(contract=contract, period__financial_year=quarter.financial_year, period__quarter=quarter.number)
        .order_by("pk")
        .first()
    )
    period = quarterly_return.period if quarterly_return is not None else ReturnPeriod.for_quarter(quarter)
    next_status("save", quarterly_return.status if quarterly_return else None)
    if quarterly_return is not None:
        quarterly_return.contract = contract  # the same row, already read: for the audit trail's label
    if indicators is None:
        indicators = set_up_indicators(contract=contract, by=by)
    if areas is None:
        areas = contract_areas(contract)
    found, errors = checks.check_figures(indicators, raw, areas=areas, complete=complete)
    if errors:
        raise FigureErrors(errors)
    if document is not None:
        validate_upload(document)
    created = quarterly_return is None
    if created:
        try:
            with transaction.atomic():
                quarterly_return = QuarterlyReturn.objects.create(
                    contract=contract,
                    period=period,
                    status=Status.DRAFT,
                    due_on=period.due_on,
                    created_by=by,
                    created_at=now,
                )
        except IntegrityError as exc:  # started at the same moment in another tab: save again
            raise ReturnRuleError("This return was started elsewhere a moment ago. Save it again.") from exc
        quarterly_return.contract = contract
        tallies.moved(None, quarterly_return)
        record(
            "monitoring.return_started",
            by=by,
            obj=quarterly_return,
            data={"contract": contract.reference, "period": period.label, "status": [None, Status.DRAFT]},
        )
    for name in NARRATIVE_FIELDS:
        if name in narrative:
            setattr(quarterly_return, name, (narrative[name] or "").strip())
    if document is not None:
        quarterly_return.document_sha256 = sha256_of(document)
        quarterly_return.document_name = document.name[:255]
        quarterly_return.document = document
    quarterly_return.save()
    filled = _write_values(quarterly_return, indicators, found)
    record(
        "monitoring.return_saved",
        by=by,
        obj=quarterly_return,
        data={
            "period": period.label,
            "status": quarterly_return.status,
            "figures": filled,
            "of": len(indicators),
            "document": quarterly_return.document_name if document is not None else "",
            "complete": complete,
        },
    )
    return quarterly_return


def raw_from_values(
    indicators: Iterable[ContractIndicator], values: Iterable[ReturnValue], areas: Iterable
) -> dict[str, str]:
    """The stored figures as the flat mapping the checks read (to pre-fill forms and spreadsheets)."""
    by_indicator = {v.indicator_id: v for v in values}
    areas = list(areas)
    raw: dict[str, str] = {}
    for indicator in indicators:
        value = by_indicator.get(indicator.pk)
        if value is None:
            continue
        if indicator.is_fraction:
            raw[checks.numerator_key(indicator)] = "" if value.numerator is None else str(value.numerator)
            raw[checks.denominator_key(indicator)] = "" if value.denominator is None else str(value.denominator)
        elif value.value is not None:
            number = value.value
            raw[checks.value_key(indicator)] = (
                str(int(number)) if number == number.to_integral_value() else f"{number.normalize():f}"
            )
        for breakdown in indicator.breakdown_list:
            counts = (value.breakdowns or {}).get(breakdown.key)
            if not counts:
                continue
            for code, _label in checks.categories(breakdown.key, areas):
                if code in counts:
                    raw[checks.category_key(indicator, breakdown.key, code)] = str(counts[code])
    return raw


def submission_problems(
    quarterly_return: QuarterlyReturn,
    today: date,
    *,
    indicators: list[ContractIndicator] | None = None,
    areas: list | None = None,
) -> list[checks.FigureError]:
    """What stops this return being submitted, as figure errors (an empty list: it can be sent).

    The figures checked are the ones stored; the contract's indicator set and areas may be passed by a
    caller that has just read them."""
    contract = quarterly_return.contract
    if indicators is None:
        indicators = list(ContractIndicator.objects.filter(contract=contract).order_by("order", "pk"))
    if areas is None:
        areas = contract_areas(contract)
    raw = raw_from_values(indicators, quarterly_return.values.order_by(), areas)
    _found, errors = checks.check_figures(indicators, raw, areas=areas, complete=True)
    if not quarterly_return.achievements.strip():
        errors.append(checks.FigureError("achievements", "Enter your achievements this quarter"))
    period = quarterly_return.period
    if today <= period.ends_on:
        errors.insert(
            0,
            checks.FigureError(
                NON_FIELD_ERRORS,
                f"You can submit the return for {period.label} once the quarter has ended, "
                f"from {long_date(period.ends_on + timedelta(days=1))}",
            ),
        )
    return errors


def _provider_emails(contract: Contract) -> list[str]:
    if contract.supplier_manager_user_id and contract.supplier_manager_user.is_active:
        return [contract.supplier_manager_user.email]
    return list(
        User.objects.filter(supplier_membership__supplier=contract.supplier_id, is_active=True).values_list(
            "email", flat=True
        )
    )


def _officer_emails(contract: Contract) -> list[str]:
    if contract.officer_manager_id and contract.officer_manager.is_active:
        return [contract.officer_manager.email]
    return list(
        User.objects.filter(role=User.Role.OFFICER, is_active=True, authority=contract.buying_authority_id).values_list(
            "email", flat=True
        )
    )


def _email(*, to: list[str], subject: str, message: str, url: str, details: list[tuple[str, str]]) -> None:
    send_after_commit(
        to=to,
        subject=subject,
        template="monitoring_return",
        context={
            "subject": subject,
            "message": message,
            "details": details,
            "url": url,
            "support_email": settings.SUPPORT_EMAIL,
        },
    )


def _lock(quarterly_return: QuarterlyReturn) -> QuarterlyReturn:
    # Only the return's own row is locked: PostgreSQL cannot lock the nullable side of an outer join.
    return (
        QuarterlyReturn.objects.select_for_update(of=("self",))
        .select_related("contract__supplier", "period", "contract__officer_manager", "contract__supplier_manager_user")
        .get(pk=quarterly_return.pk)
    )


@transaction.atomic
def submit_return(
    *,
    quarterly_return: QuarterlyReturn,
    by: User,
    now: datetime | None = None,
    indicators: list[ContractIndicator] | None = None,
    areas: list | None = None,
) -> QuarterlyReturn:
    """Send a draft (→ submitted) or an amended return (→ resubmitted) to the commissioning team.

    `indicators` and `areas`: the contract's, when the caller has just read them (see `save_return`)."""
    now = now or timezone.now()
    quarterly_return = _lock(quarterly_return)
    _require_provider_of(quarterly_return.contract, by)
    counted_as = tallies.key_of(quarterly_return)
    before = quarterly_return.status
    after = next_status("submit", before)
    problems = submission_problems(quarterly_return, timezone.localdate(now), indicators=indicators, areas=areas)
    if problems:
        raise FigureErrors(problems)
    if quarterly_return.submitted_at is None:
        quarterly_return.submitted_at = now
        quarterly_return.submitted_by = by
    quarterly_return.last_submitted_at = now
    quarterly_return.status = after
    quarterly_return.save()
    tallies.moved(counted_as, quarterly_return)
    late = quarterly_return.timeliness_on(timezone.localdate(now))
    record(
        "monitoring.return_submitted" if after == Status.SUBMITTED else "monitoring.return_resubmitted",
        by=by,
        obj=quarterly_return,
        data={"status": [before, after], "due_on": quarterly_return.due_on, "timeliness": late},
    )
    events.send(
        RETURN_SUBMITTED,
        return_id=quarterly_return.pk,
        contract_id=quarterly_return.contract_id,
        resubmitted=after == Status.RESUBMITTED,
        by_id=by.pk,
    )
    contract = quarterly_return.contract
    _email(
        to=_officer_emails(contract),
        subject=f"{'Resubmitted' if after == Status.RESUBMITTED else 'Submitted'}: "
        f"{contract.reference} return for {quarterly_return.period.label}",
        message=f"{contract.supplier.legal_name} has {'resubmitted' if after == Status.RESUBMITTED else 'submitted'} "
        f"the quarterly return for {contract.title}, {quarterly_return.period.label}. Review it and accept it or "
        "return it for amendment.",
        url=reverse("monitoring:review", args=[quarterly_return.pk]),
        details=[("Due", long_date(quarterly_return.due_on)), ("Submitted", "late" if late == "late" else "on time")],
    )
    return quarterly_return


def save_and_submit_return(
    *,
    contract: Contract,
    quarter: Quarter,
    raw: Mapping[str, object],
    narrative: Mapping[str, str],
    by: User,
    document: UploadedFile | None = None,
    now: datetime | None = None,
    indicators: list[ContractIndicator] | None = None,
    areas: list | None = None,
) -> QuarterlyReturn:
    """Save the figures (`save_return`), then submit the return (`submit_return`): what the provider's
    Submit button does. One transaction, so one commit and one sealing of its audit events.

    If the submission is refused (for example, the quarter has not ended) the figures are still saved
    and the provider keeps the draft; the refusal is raised once the save has committed."""
    now = now or timezone.now()
    with transaction.atomic():
        saved = save_return(
            contract=contract,
            quarter=quarter,
            raw=raw,
            narrative=narrative,
            by=by,
            document=document,
            now=now,
            indicators=indicators,
            areas=areas,
        )
        try:  # submit_return is atomic in itself: a refusal rolls back to here, and the save stands
            return submit_return(quarterly_return=saved, by=by, now=now, indicators=indicators, areas=areas)
        except ValidationError as error:
            refused = error
    raise refused


@transaction.atomic
def accept_return(
    *, quarterly_return: QuarterlyReturn, by: User, comments: str = "", now: datetime | None = None
) -> QuarterlyReturn:
    now = now or timezone.now()
    _require_officer(by, quarterly_return.contract)
    quarterly_return = _lock(quarterly_return)
    counted_as = tallies.key_of(quarterly_return)
    before = quarterly_return.status
    after = next_status("accept", before)
    quarterly_return.status = after
    quarterly_return.accepted_at = now
    quarterly_return.accepted_by = by
    quarterly_return.save()
    tallies.moved(counted_as, quarterly_return)
    ReturnReview.objects.create(
        quarterly_return=quarterly_return,
        decision=ReturnReview.Decision.ACCEPTED,
        comments=comments.strip(),
        decided_by=by,
        decided_at=now,
    )
    record(
        "monitoring.return_accepted",
        by=by,
        obj=quarterly_return,
        data={"status": [before, after], "comments": comments.strip()},
    )
    events.send(RETURN_ACCEPTED, return_id=quarterly_return.pk, contract_id=quarterly_return.contract_id, by_id=by.pk)
    contract = quarterly_return.contract
    period = quarterly_return.period
    _email(
        to=_provider_emails(contract),
        subject=f"Accepted: your {contract.reference} return for {period.label}",
        message=f"The commissioning team has accepted your quarterly return for {contract.title}, {period.label}."
        + (f" Their comments: {comments.strip()}" if comments.strip() else ""),
        url=reverse("monitoring:provider_return", args=[contract.pk, period.financial_year, period.quarter]),
        details=[],
    )
    return quarterly_return


@transaction.atomic
def return_for_amendment(
    *, quarterly_return: QuarterlyReturn, by: User, comments: str, now: datetime | None = None
) -> QuarterlyReturn:
    now = now or timezone.now()
    _require_officer(by, quarterly_return.contract)
    if not comments.strip():
        raise ReturnRuleError("Enter what the provider needs to amend", field="comments")
    quarterly_return = _lock(quarterly_return)
    counted_as = tallies.key_of(quarterly_return)
    before = quarterly_return.status
    after = next_status("return", before)
    quarterly_return.status = after
    quarterly_return.save()
    tallies.moved(counted_as, quarterly_return)
    ReturnReview.objects.create(
        quarterly_return=quarterly_return,
        decision=ReturnReview.Decision.RETURNED,
        comments=comments.strip(),
        decided_by=by,
        decided_at=now,
    )
    record(
        "monitoring.return_returned",
        by=by,
        obj=quarterly_return,
        data={"status": [before, after], "comments": comments.strip()},
    )
    events.send(RETURN_RETURNED, return_id=quarterly_return.pk, contract_id=quarterly_return.contract_id, by_id=by.pk)
    contract = quarterly_return.contract
    period = quarterly_return.period
    _email(
        to=_provider_emails(contract),
        subject=f"Amendments needed: your {contract.reference} return for {period.label}",
        message=f"The commissioning team has returned your quarterly return for {contract.title}, {period.label}, "
        f"for amendment. Their comments: {comments.strip()}",
        url=reverse("monitoring:edit_return", args=[contract.pk, period.financial_year, period.quarter]),
        details=[],
    )
    return quarterly_return


@transaction.atomic
def set_due_date(*, quarterly_return: QuarterlyReturn, due_on: date, reason: str, by: User) -> QuarterlyReturn:
    """Seed 000: the exact date is negotiated with the provider. Officers record an agreed date."""
    _require_officer(by, quarterly_return.contract)
    if not reason.strip():
        raise ReturnRuleError("Enter why the due date changed", field="reason")
    quarterly_return = _lock(quarterly_return)
    if due_on <= quarterly_return.period.ends_on:
        raise ReturnRuleError("The due date must be after the end of the quarter", field="due_on")
    before = quarterly_return.due_on
    counted_as = tallies.key_of(quarterly_return)
    quarterly_return.due_on = due_on
    quarterly_return.save(update_fields=["due_on", "updated_at"])
    tallies.moved(counted_as, quarterly_return)
    record(
        "monitoring.due_date_changed",
        by=by,
        obj=quarterly_return,
        data={"due_on": [before, due_on], "reason": reason.strip()},
    )
    return quarterly_return


# The spreadsheet ----------------------------------------------------------------------------------------


@transaction.atomic
def import_spreadsheet(*, contract: Contract, quarter: Quarter, upload: UploadedFile, by: User) -> QuarterlyReturn:
    """Read a filled-in return spreadsheet. Everything is checked as for submitting; if anything is wrong
    nothing is saved and every problem is reported by sheet, row and column (`SpreadsheetErrors`)."""
    from . import xlsx

    _require_provider_of(contract, by)
    try:
        validate_upload(upload, kind=RETURN_SPREADSHEET, by=by)
    except ValidationError as error:
        raise ReturnRuleError(" ".join(error.messages), field="spreadsheet") from error
    indicators = set_up_indicators(contract=contract, by=by)
    areas = contract_areas(contract)
    sheet = xlsx.read_return(upload, contract=contract, quarter=quarter, indicators=indicators, areas=areas)
    if sheet.errors:  # the wrong file, or rows and sheets that are not the portal's: say only that
        raise xlsx.SpreadsheetErrors(sheet.errors)
    _found, errors = checks.check_figures(indicators, sheet.raw, areas=areas, complete=True)
    if errors:
        raise xlsx.SpreadsheetErrors([sheet.locate(error) for error in errors])
    try:
        return save_return(
            contract=contract, quarter=quarter, raw=sheet.raw, narrative=sheet.narrative, by=by, complete=True
        )
    except FigureErrors as exc:  # pragma: no cover - the same checks ran above
        raise xlsx.SpreadsheetErrors([sheet.locate(error) for error in exc.errors]) from exc
