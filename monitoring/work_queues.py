"""Quarterly returns on the home pages (see `commissioning.work_queues`).

Officers: returns waiting for review (oldest first) and returns overdue, each with a "Send a reminder"
button; providers: returns due soon or overdue, and returns sent back for amendment. Each builder reads
with a fixed number of queries: at most one count and one capped slice per quarter of the last year.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from commissioning import work_queues as wq
from commissioning.dates import Quarter
from commissioning.rules import acting_for_filter
from contracts.models import Contract

from .models import QuarterlyReturn
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


def unsent_for(contracts: QuerySet[Contract], quarter: Quarter, today: date, *, overdue_only: bool) -> QuerySet:
    """Contracts in force during the quarter whose return for it is not submitted (and, if asked, is past
    its own due date, which may have been agreed later than the standard one)."""
    theirs = QuarterlyReturn.objects.filter(
        contract=OuterRef("pk"), period__financial_year=quarter.financial_year, period__quarter=quarter.number
    )
    unsent = contracts.filter(pk__in=Contract.objects.in_force_during(quarter.start, quarter.end).values("pk")).exclude(
        Exists(theirs.filter(submitted_at__isnull=False))
    )
    if overdue_only:
        unsent = unsent.exclude(Exists(theirs.filter(due_on__gte=today)))
    return unsent.select_related("supplier").order_by("supplier__legal_name", "reference")


def _today(now: datetime) -> date:
    return timezone.localdate(now)


def returns_to_review(user, now: datetime) -> wq.Queue:
    waiting = (
        QuarterlyReturn.objects.filter(
            acting_for_filter(user, "contract__buying_authority"),
            status__in=[QuarterlyReturn.Status.SUBMITTED, QuarterlyReturn.Status.RESUBMITTED],
        )
        .select_related("contract__supplier", "period")
        .order_by("last_submitted_at", "submitted_at", "pk")
    )
    items = [
        wq.QueueItem(
            title=f"{r.contract.supplier.legal_name}: {Quarter(r.period.financial_year, r.period.quarter).label} "
            f"return for {r.contract.reference}",
            url=reverse("monitoring:review", args=[r.pk]),
            detail=r.get_status_display(),
            when=timezone.localtime(r.last_submitted_at or r.submitted_at).date()
            if (r.last_submitted_at or r.submitted_at)
            else None,
            when_label="Sent on",
        )
        for r in waiting[: wq.SHOWN]
    ]
    return wq.Queue(
        key="returns-to-review",
        heading="Returns to review",
        count=waiting.count(),
        items=items,
        urgency=wq.ACTION,
        see_all_url=reverse("monitoring:dashboard"),
        see_all_label="See the returns dashboard",
        empty="No returns are waiting for your review.",
    )


def overdue_returns(user, now: datetime) -> wq.Queue:
    today = _today(now)
    contracts = Contract.objects.filter(acting_for_filter(user, "buying_authority"))
    count, items = 0, []
    for quarter in quarters_due_between(today - timedelta(days=LOOKBACK_DAYS), today - timedelta(days=1)):
        unsent = unsent_for(contracts, quarter, today, overdue_only=True)
        found = unsent.count()
        count += found
        # Always one capped read per quarter (even when full or empty): the same queries whatever the data.
        for contract in list(unsent[: wq.SHOWN])[: max(wq.SHOWN - len(items), 0)]:
            title = f"{contract.supplier.legal_name}: {quarter.label} return for {contract.reference}"
            items.append(
                wq.QueueItem(
                    title=title,
                    url=reverse("monitoring:dashboard")
                    + f"?quarter={quarter_key(quarter)}&supplier={contract.supplier_id}",
                    detail=contract.title,
                    when=quarter.return_due,
                    when_label="Was due on",
                    tag="Overdue",
                    tag_colour="red",
                    action=wq.Action(
                        label="Send a reminder",
                        url=reverse(
                            "monitoring:send_reminder",
                            args=[contract.pk, quarter.financial_year, quarter.number],
                        ),
                        hidden_context=f"to {title}",
                    ),
                )
            )
    return wq.Queue(
        key="overdue-returns",
        heading="Overdue returns",
        count=count,
        items=items,
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
        .order_by("due_on", "pk")
    )
    count = sent_back.count() if supplier_id else 0
    items = []
    for r in sent_back[: wq.SHOWN] if supplier_id else []:
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
    urgency = wq.OVERDUE if count else wq.ACTION
    for quarter in quarters_due_between(today - timedelta(days=LOOKBACK_DAYS), today + timedelta(days=DUE_SOON_DAYS)):
        unsent = unsent_for(contracts, quarter, today, overdue_only=False).exclude(
            Exists(
                QuarterlyReturn.objects.filter(
                    contract=OuterRef("pk"),
                    status=QuarterlyReturn.Status.RETURNED,
                    period__financial_year=quarter.financial_year,
                    period__quarter=quarter.number,
                )
            )
        )
        found = unsent.count() if supplier_id else 0
        count += found
        overdue = quarter.return_due < today
        if found and overdue:
            urgency = wq.OVERDUE
        # Always one capped read per quarter (even when full or empty): the same queries whatever the data.
        for contract in list(unsent[: wq.SHOWN])[: max(wq.SHOWN - len(items), 0)]:
            items.append(
                wq.QueueItem(
                    title=f"{quarter.label} return for {contract.reference}",
                    url=reverse("monitoring:edit_return", args=[contract.pk, quarter.financial_year, quarter.number]),
                    detail=contract.title,
                    when=quarter.return_due,
                    when_label="Was due on" if overdue else "Due by",
                    tag="Overdue" if overdue else "Due soon",
                    tag_colour="red" if overdue else "yellow",
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
