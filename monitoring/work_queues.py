"""Quarterly returns on the home pages (see `commissioning.work_queues`).

Officers: returns waiting for review (oldest first) and returns overdue, each with a "Send a reminder"
button; providers: returns due soon or overdue, and returns sent back for amendment. Each builder reads
with a fixed number of queries: a bounded count and a capped slice per quarter of the last year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone

from commissioning import work_queues as wq
from commissioning.dates import Quarter
from commissioning.partial_indexes import literals
from commissioning.rules import acting_for_filter
from contracts.models import Contract

from .models import QuarterlyReturn, ReturnPeriod
from .selectors import quarter_key

# Overdue returns are listed for the quarters due in the last year (as the reminder sweep chases them).
LOOKBACK_DAYS = 366
# Providers see a return in their queue from this many days before it is due.
DUE_SOON_DAYS = 14


def quarters_due_between(first: date, last: date) -> list[Quarter]:
    """Quarters whose standard due date falls between the two dates (inclusive), most recent first."""
    quarter = Quarter.containing(last)
    found = []
    while quarter.return_due >= first:
        if quarter.return_due <= last:
            found.append(quarter)
        quarter = quarter.previous()
    return found


@dataclass(frozen=True)
class Unsent:
    quarter: Quarter
    contract: Contract
    due_on: date


def _maybe_missing(quarter: Quarter) -> Q:
    """Contracts not marked as having sent every return up to the end of `quarter` (`returns_sent_until`):
    the others are passed over through the mark's index first."""
    return Q(returns_sent_until__isnull=True) | Q(returns_sent_until__lt=quarter.end)


def quarters_maybe_missing(contracts: QuerySet[Contract], quarters: list[Quarter]) -> set[Quarter]:
    """The quarters in which one of the contracts might have a return missing: in force during the quarter
    and not marked as having sent its returns to the end of it. One query over those contracts only (found
    through the mark's index), so each quarter where none can be missing, as in most quarters of providers
    who send on time, costs no query of its own."""
    if not quarters:
        return set()
    latest = max(quarters)
    candidates = Contract.objects.in_force_during(min(q.start for q in quarters), latest.end).filter(
        _maybe_missing(latest), pk__in=contracts.values("pk")
    )
    found = candidates.aggregate(
        **{
            f"q{i}": Count("pk", filter=Q(start_on__lte=q.end, effective_end__gte=q.start) & _maybe_missing(q))
            for i, q in enumerate(quarters)
        }
    )
    return {q for i, q in enumerate(quarters) if found[f"q{i}"]}


def unsent_during(
    contracts: QuerySet[Contract], quarter: Quarter, *, due_by: date, period_id: int | None
) -> QuerySet[Contract]:
    """Contracts in force during `quarter` whose return for it is not submitted and was due on or before
    `due_by` (by its own agreed date, else the standard one), by provider; each with its `return_due_on`.

    Decided by the database with one join it can make for all contracts at once (an anti-join or a
    semi-join, never a lookup per contract); the due date is looked up for the rows read only."""
    # By the period's key (None: the period has no returns yet), so each contract's return is one index entry.
    returns = QuarterlyReturn.objects.filter(contract=OuterRef("pk"), period_id=period_id).order_by()
    if quarter.return_due <= due_by:  # due by the standard date: unless sent, or agreed for later
        unsent_and_due = ~Exists(returns.filter(Q(submitted_at__isnull=False) | Q(due_on__gt=due_by)))
    else:  # due later by the standard date: only a return agreed for earlier, not sent
        unsent_and_due = Exists(returns.filter(submitted_at__isnull=True, due_on__lte=due_by))
    return (
        Contract.objects.in_force_during(quarter.start, quarter.end)
        .filter(_maybe_missing(quarter), pk__in=contracts.values("pk"))
        .filter(unsent_and_due)
        .annotate(return_due_on=Coalesce(Subquery(returns.values("due_on")[:1]), Value(quarter.return_due)))
        .select_related("supplier")
        # By the provider's name, case aside: not the order of the name's index, which made PostgreSQL walk
        # every contract in it looking for the first five unsent (most have sent theirs).
        .order_by(Lower("supplier__legal_name"), "reference", "pk")
    )


def unsent(contracts: QuerySet[Contract], quarters: list[Quarter], *, due_by: date, limit: int):
    """Returns not submitted for these quarters (see `unsent_during`): most recent quarter first, then by
    provider; at most `limit` of them. Returns them and how many there are, counted up to
    `wq.COUNT_UP_TO` in each quarter. One query for the quarters in which a return may be missing
    (`quarters_maybe_missing`: the others are not asked at all), one for their periods, then at most two a
    quarter however many contracts: a quarter's rows are read only up to the rows still to show, and
    counted only when they filled them (see `wq.count_beyond`); once earlier quarters have filled the
    limit, a quarter is only counted. A provider's own few contracts are decided by `unsent_of_few`
    instead."""
    found, count = [], 0
    asked = quarters_maybe_missing(contracts, quarters)
    if not asked:
        return found, count
    periods = {
        (year, number): pk
        for pk, year, number in ReturnPeriod.objects.filter(
            financial_year__in={q.financial_year for q in quarters}
        ).values_list("pk", "financial_year", "quarter")
    }
    for quarter in sorted(asked, reverse=True):
        period_id = periods.get((quarter.financial_year, quarter.number))
        rows = unsent_during(contracts, quarter, due_by=due_by, period_id=period_id)
        if len(found) >= limit:  # the rows shown are found already: this quarter's are only counted
            read = []
            count += wq.bounded_count(rows)
        else:  # only the rows still to show are read
            wanted = limit - len(found)
            read = list(rows[:wanted])
            count += wq.count_beyond(rows, read, wanted)
        found.extend(Unsent(quarter, c, c.return_due_on) for c in read)
    return found[:limit], count


def unsent_of_few(contracts: QuerySet[Contract], quarters: list[Quarter], *, due_by: date) -> list[Unsent]:
    """Every return `unsent` would find for one provider's contracts: the same rule decided here over their
    rows (the contracts in force during any of the quarters, and their returns for them: two queries),
    rather than by a query a quarter whose composing costs more than a provider's few rows."""
    if not quarters:
        return []
    quarters = sorted(quarters, reverse=True)
    first, last = min(q.start for q in quarters), max(q.end for q in quarters)
    in_force = list(contracts.in_force_during(first, last).order_by(Lower("supplier__legal_name"), "reference", "pk"))
    returns = {
        (contract_id, year, number): (submitted_at, due_on)
        for contract_id, year, number, submitted_at, due_on in QuarterlyReturn.objects.filter(
            contract__in=[c.pk for c in in_force], period__financial_year__in={q.financial_year for q in quarters}
        ).values_list("contract_id", "period__financial_year", "period__quarter", "submitted_at", "due_on")
    }
    found = []
    for quarter in quarters:
        for contract in in_force:
            if not contract.is_in_force_during(quarter.start, quarter.end):
                continue
            if contract.returns_sent_until is not None and contract.returns_sent_until >= quarter.end:
                continue
            submitted_at, due_on = returns.get((contract.pk, quarter.financial_year, quarter.number), (None, None))
            if quarter.return_due <= due_by:  # due by the standard date: unless sent, or agreed for later
                missing = submitted_at is None and not (due_on is not None and due_on > due_by)
            else:  # due later by the standard date: only a return agreed for earlier, not sent
                missing = due_on is not None and submitted_at is None and due_on <= due_by
            if missing:
                found.append(Unsent(quarter, contract, due_on or quarter.return_due))
    return found


def _today(now: datetime) -> date:
    return timezone.localdate(now)


def awaiting_review(user) -> QuerySet[QuarterlyReturn]:
    """The returns sent to the user's authority and waiting for review, oldest sent first."""
    return (
        QuarterlyReturn.objects.filter(
            acting_for_filter(user, "contract__buying_authority"),
            # As the partial index `return_awaiting_review_idx` says it (see commissioning.partial_indexes).
            status__in=literals([QuarterlyReturn.Status.SUBMITTED, QuarterlyReturn.Status.RESUBMITTED]),
        )
        .select_related("contract__supplier", "period")
        .order_by("last_submitted_at", "submitted_at", "pk")
    )


def returns_to_review(user, now: datetime) -> wq.Queue:
    return wq.Queue.of(
        # Only what a row shows: not each return's narrative.
        awaiting_review(user).only(
            "status",
            "submitted_at",
            "last_submitted_at",
            "contract__reference",
            "contract__supplier__legal_name",
            "period__financial_year",
            "period__quarter",
        ),
        lambda r: wq.QueueItem(
            title=f"{r.contract.supplier.legal_name}: {Quarter(r.period.financial_year, r.period.quarter).label} "
            f"return for {r.contract.reference}",
            url=reverse("monitoring:review", args=[r.pk]),
            detail=r.get_status_display(),
            when=timezone.localtime(r.last_submitted_at or r.submitted_at).date()
            if (r.last_submitted_at or r.submitted_at)
            else None,
            when_label="Sent on",
        ),
        key="returns-to-review",
        heading="Returns to review",
        urgency=wq.ACTION,
        see_all_url=reverse("monitoring:dashboard"),
        see_all_label="See the returns dashboard",
        empty="No returns are waiting for your review.",
    )


def overdue_returns(user, now: datetime) -> wq.Queue:
    today = _today(now)
    contracts = Contract.objects.filter(acting_for_filter(user, "buying_authority"))
    quarters = quarters_due_between(today - timedelta(days=LOOKBACK_DAYS), today - timedelta(days=1))
    overdue, count = unsent(contracts, quarters, due_by=today - timedelta(days=1), limit=wq.SHOWN)

    def reminder_row(row) -> wq.QueueItem:
        contract, quarter = row.contract, row.quarter
        title = f"{contract.supplier.legal_name}: {quarter.label} return for {contract.reference}"
        return wq.QueueItem(
            title=title,
            url=reverse("monitoring:dashboard") + f"?quarter={quarter_key(quarter)}&supplier={contract.supplier_id}",
            detail=contract.title,
            **wq.deadline(row.due_on, today),  # overdue: due by yesterday at the latest
            action=wq.Action(
                label="Send a reminder",
                url=reverse("monitoring:send_reminder", args=[contract.pk, quarter.financial_year, quarter.number]),
                hidden_context=f"to {title}",
            ),
        )

    return wq.Queue(
        count=count,
        items=[reminder_row(row) for row in overdue],
        key="overdue-returns",
        heading="Overdue returns",
        urgency=wq.OVERDUE,
        see_all_url=reverse("monitoring:dashboard"),
        see_all_label="See the returns dashboard",
    )


def provider_returns(user, now: datetime) -> wq.Queue:
    today = _today(now)
    membership = getattr(user, "supplier_membership", None)
    supplier_id = membership.supplier_id if membership else None
    contracts = Contract.objects.filter(supplier_id=supplier_id) if supplier_id else Contract.objects.none()
    sent_back = (
        QuarterlyReturn.objects.filter(contract__supplier_id=supplier_id, status=QuarterlyReturn.Status.RETURNED)
        .select_related("contract", "period")
        .only("due_on", "contract__reference", "contract__title", "period__financial_year", "period__quarter")
        .order_by("due_on", "pk")
    )
    shown = list(sent_back[: wq.SHOWN]) if supplier_id else []
    count = wq.count_beyond(sent_back, shown, wq.SHOWN)
    items = []
    for r in shown:
        quarter = Quarter(r.period.financial_year, r.period.quarter)
        items.append(
            wq.QueueItem(
                title=f"{quarter.label} return for {r.contract.reference}",
                url=reverse("monitoring:edit_return", args=[r.contract_id, quarter.financial_year, quarter.number]),
                detail=r.contract.title,
                tag="Sent back for amendment",
                tag_colour="red",
            )
        )
    quarters = quarters_due_between(today - timedelta(days=LOOKBACK_DAYS), today + timedelta(days=DUE_SOON_DAYS))
    # One provider's contracts are few: all its unsent returns are read, so an overdue one anywhere in the
    # list makes the queue overdue.
    due = unsent_of_few(contracts, quarters, due_by=today + timedelta(days=DUE_SOON_DAYS)) if supplier_id else []
    count += len(due)
    urgency = wq.OVERDUE if count and (items or any(row.due_on < today for row in due)) else wq.ACTION
    for row in due[: max(wq.SHOWN - len(items), 0)]:
        quarter = row.quarter
        items.append(
            wq.QueueItem(
                title=f"{quarter.label} return for {row.contract.reference}",
                url=reverse("monitoring:edit_return", args=[row.contract.pk, quarter.financial_year, quarter.number]),
                detail=row.contract.title,
                **wq.deadline(row.due_on, today),
            )
        )
    return wq.Queue(
        key="returns",
        heading="Quarterly returns to send",
        count=count,
        items=items,
        urgency=urgency,
        see_all_url=reverse("monitoring:provider_returns"),
        see_all_label="See all your returns",
        empty="No returns are due in the next two weeks.",
    )


def register() -> None:
    wq.register("officer", "returns-to-review", returns_to_review)
    wq.register("officer", "overdue-returns", overdue_returns)
    wq.register("provider", "returns", provider_returns)
