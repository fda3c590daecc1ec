"""Contracts and notices on the officer's home page (see `commissioning.work_queues`): contracts reaching
their extension decision point or their end within six months, and Procurement Act notices due or
overdue. Each builder reads with a fixed number of queries, each of a bounded number of rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from commissioning import work_queues as wq
from commissioning.rules import acting_for_filter

from .models import Contract, add_months
from .notices import selectors as notice_selectors

DECISION_MONTHS = 6
# A decision point comes at most this long before the current end (the longest notice period looked at).
LONGEST_NOTICE_MONTHS = 24
NOTICES_SOON_DAYS = 14
NOTICE_DEADLINE = replace(wq.DUE, passed_label="Was due by")


def contracts_deciding(user, now: datetime) -> wq.Queue:
    """Contracts whose next decision point (the notice period before the current end, while an option is
    left to exercise) or end falls within six months, soonest first. Both dates are worked out by the
    database, so the queue reads its five rows and a bounded count however many contracts are in force."""
    today = timezone.localdate(now)
    horizon = add_months(today, DECISION_MONTHS)
    deciding = (
        Contract.objects.in_force_on(today)
        .filter(
            acting_for_filter(user, "buying_authority"),
            current_end_on__lte=add_months(today, DECISION_MONTHS + LONGEST_NOTICE_MONTHS),
        )
        .with_next_decision()
        .filter(reaches_on__lte=horizon)
        .select_related("supplier")
        .order_by("reaches_on", "reference")
    )
    return wq.Queue.of(
        deciding,
        lambda contract: wq.QueueItem(
            title=f"{contract.reference}: {contract.title}",
            url=reverse("contracts:officer_contract", args=[contract.pk]),
            detail=contract.supplier.legal_name,
            when=contract.reaches_on,
            when_label="Reaches its extension decision on" if contract.decision_on else "Reaches its end on",
            tag="Extension decision" if contract.decision_on else "Ending",
            tag_colour="yellow" if contract.reaches_on < today + timedelta(days=92) else "blue",
        ),
        key="contracts-deciding",
        heading="Contracts reaching a decision point or their end",
        urgency=wq.SOON,
        see_all_url=reverse("contracts:officer_register"),
        see_all_label="See the contract register",
    )


def notices_due(user, now: datetime) -> wq.Queue:
    today = timezone.localdate(now)
    notices = (
        notice_selectors.outstanding_for_officer(user)
        .filter(deadline__isnull=False, deadline__lte=today + timedelta(days=NOTICES_SOON_DAYS))
        .order_by("deadline", "pk")
    )
    overdue = notice_selectors.overdue_for_officer(user, today).exists()
    return wq.Queue.of(
        notices,
        lambda notice: wq.QueueItem(
            title=f"{notice.get_notice_type_display()}: {notice.title}",
            url=reverse("notices:notice", args=[notice.pk]),
            detail=notice.deadline_basis,
            **wq.deadline(notice.deadline, today, NOTICE_DEADLINE),
        ),
        key="notices-due",
        heading="Notices due",
        urgency=wq.OVERDUE if overdue else wq.ACTION,
        see_all_url=reverse("notices:officer_notices"),
        see_all_label="See all notices",
    )


def register() -> None:
    wq.register("officer", "contracts-deciding", contracts_deciding)
    wq.register("officer", "notices-due", notices_due)
