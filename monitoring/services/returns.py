"""Providers save and submit quarterly returns; officers accept them or send them back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from commissioning import events
from commissioning.audit import record
from commissioning.dates import Quarter, long_date
from commissioning.models import User
from commissioning.uploads import RETURN_SPREADSHEET, sha256_of, validate_upload
from contracts.models import Contract

from .. import figures as checks
from .. import returns_sent, tallies
from ..events import RETURN_ACCEPTED, RETURN_RETURNED, RETURN_SUBMITTED
from ..figures import Figure
from ..models import (
    ContractIndicator,
    QuarterlyReturn,
    ReturnPeriod,
    ReturnReview,
    ReturnValue,
)
from .common import (
    NARRATIVE_FIELDS,
    FigureErrors,
    ReturnRuleError,
    Status,
    _check_due,
    _lock,
    _require_officer,
    _require_provider_of,
    contract_areas,
    next_status,
)
from .emails import _email, _officer_emails, _provider_emails
from .indicators import set_up_indicators


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
    if created:
        tallies.moved(None, quarterly_return)  # last: see `monitoring.tallies`
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


@transaction.atomic
def submit_return(
    *,
    quarterly_return: QuarterlyReturn,
    by: User,
    now: datetime | None = None,
    indicators: list[ContractIndicator] | None = None,
    areas: list | None = None,
    locked: bool = False,
) -> QuarterlyReturn:
    """Send a draft (→ submitted) or an amended return (→ resubmitted) to the commissioning team.

    `indicators` and `areas`: the contract's, when the caller has just read them (see `save_return`).
    `locked`: the caller has just saved this return inside its own transaction, which holds the row's lock,
    so it is neither locked nor read again (`save_and_submit_return`)."""
    now = now or timezone.now()
    if not locked:
        quarterly_return = _lock(quarterly_return)
    _require_provider_of(quarterly_return.contract, by)
    counted_as = tallies.key_of(quarterly_return)
    before = quarterly_return.status
    after = next_status("submit", before)
    problems = submission_problems(quarterly_return, timezone.localdate(now), indicators=indicators, areas=areas)
    if problems:
        raise FigureErrors(problems)
    first_sending = quarterly_return.submitted_at is None
    if first_sending:
        quarterly_return.submitted_at = now
        quarterly_return.submitted_by = by
    quarterly_return.last_submitted_at = now
    quarterly_return.status = after
    quarterly_return.save()
    if first_sending:
        returns_sent.advance(quarterly_return.contract)
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
    tallies.moved(counted_as, quarterly_return)  # last: see `monitoring.tallies`
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
            return submit_return(
                quarterly_return=saved, by=by, now=now, indicators=indicators, areas=areas, locked=True
            )
        except ValidationError as error:
            refused = error
    raise refused


def _record_decision(quarterly_return, decision, action, event, by, now, comments, moved) -> None:
    """An officer's decision on a return: the review row, the audit event and the domain event."""
    ReturnReview.objects.create(
        quarterly_return=quarterly_return,
        decision=decision,
        comments=comments.strip(),
        decided_by=by,
        decided_at=now,
    )
    record(action, by=by, obj=quarterly_return, data={"status": list(moved), "comments": comments.strip()})
    events.send(event, return_id=quarterly_return.pk, contract_id=quarterly_return.contract_id, by_id=by.pk)


# An officer's decision: the status transition it makes, its audit action and its domain event.
DECISIONS = {
    ReturnReview.Decision.ACCEPTED: ("accept", "monitoring.return_accepted", RETURN_ACCEPTED),
    ReturnReview.Decision.RETURNED: ("return", "monitoring.return_returned", RETURN_RETURNED),
}


def _decide(quarterly_return, decision, by, now, comments, tell, **fields):
    """An officer's decision on a locked return: its status moves (with its tally), `fields` are set, the
    decision is recorded and the provider is told (`tell`: the e-mail's subject, message and page)."""
    transition, action, event = DECISIONS[decision]
    counted_as = tallies.key_of(quarterly_return)
    before = quarterly_return.status
    after = next_status(transition, before)
    quarterly_return.status = after
    for name, value in fields.items():
        setattr(quarterly_return, name, value)
    quarterly_return.save()
    _record_decision(quarterly_return, decision, action, event, by, now, comments, (before, after))
    contract = quarterly_return.contract
    period = quarterly_return.period
    subject, message, url_name = tell(contract, period)
    _email(
        to=_provider_emails(contract),
        subject=subject,
        message=message,
        url=reverse(url_name, args=[contract.pk, period.financial_year, period.quarter]),
        details=[],
    )
    tallies.moved(counted_as, quarterly_return)  # last: see `monitoring.tallies`
    return quarterly_return


@transaction.atomic
def accept_return(
    *, quarterly_return: QuarterlyReturn, by: User, comments: str = "", now: datetime | None = None
) -> QuarterlyReturn:
    now = now or timezone.now()
    _require_officer(by, quarterly_return.contract)
    quarterly_return = _lock(quarterly_return)
    return _decide(
        quarterly_return,
        ReturnReview.Decision.ACCEPTED,
        by,
        now,
        comments,
        lambda contract, period: (
            f"Accepted: your {contract.reference} return for {period.label}",
            f"The commissioning team has accepted your quarterly return for {contract.title}, {period.label}."
            + (f" Their comments: {comments.strip()}" if comments.strip() else ""),
            "monitoring:provider_return",
        ),
        accepted_at=now,
        accepted_by=by,
    )


@transaction.atomic
def return_for_amendment(
    *, quarterly_return: QuarterlyReturn, by: User, comments: str, now: datetime | None = None
) -> QuarterlyReturn:
    now = now or timezone.now()
    _require_officer(by, quarterly_return.contract)
    if not comments.strip():
        raise ReturnRuleError("Enter what the provider needs to amend", field="comments")
    quarterly_return = _lock(quarterly_return)
    return _decide(
        quarterly_return,
        ReturnReview.Decision.RETURNED,
        by,
        now,
        comments,
        lambda contract, period: (
            f"Amendments needed: your {contract.reference} return for {period.label}",
            f"The commissioning team has returned your quarterly return for {contract.title}, {period.label}, "
            f"for amendment. Their comments: {comments.strip()}",
            "monitoring:edit_return",
        ),
    )


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
    record(
        "monitoring.due_date_changed",
        by=by,
        obj=quarterly_return,
        data={"due_on": [before, due_on], "reason": reason.strip()},
    )
    tallies.moved(counted_as, quarterly_return)  # last: see `monitoring.tallies`
    return quarterly_return


@transaction.atomic
def import_spreadsheet(*, contract: Contract, quarter: Quarter, upload: UploadedFile, by: User) -> QuarterlyReturn:
    """Read a filled-in return spreadsheet. Everything is checked as for submitting; if anything is wrong
    nothing is saved and every problem is reported by sheet, row and column (`SpreadsheetErrors`)."""
    from .. import xlsx

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
