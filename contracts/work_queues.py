"""Contracts and notices on the officer's home page (see `commissioning.work_queues`): contracts reaching
their extension decision point or their end within six months, and Procurement Act notices due or
overdue. Each builder reads with a fixed number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from commissioning import work_queues as wq
from commissioning.rules import acting_for_filter

from .models import Contract, ExtensionOption, add_months
from .notices import selectors as notice_selectors

DECISION_MONTHS = 6
# A decision point comes at most this long before the current end (the longest notice period looked at).
LONGEST_NOTICE_MONTHS = 24
NOTICES_SOON_DAYS = 14


def contracts_deciding(user, now: datetime) -> wq.Queue:
    """Two queries however many contracts: the candidates ending within the horizon plus the longest
    notice period, and their options with whether each was exercised."""
    today = timezone.localdate(now)
    horizon = add_months(today, DECISION_MONTHS)
    candidates = (
        Contract.objects.in_force_on(today)
        .filter(
            acting_for_filter(user, "buying_authority"),
            current_end_on__lte=add_months(today, DECISION_MONTHS + LONGEST_NOTICE_MONTHS),
        )
        .select_related("supplier")
        .prefetch_related(Prefetch("extension_options", queryset=ExtensionOption.objects.select_related("exercised")))
    )
    due = []
    for contract in candidates:
        decision_on = contract.next_extension_decision_on()
        point, when = ("extension decision", decision_on) if decision_on else ("end", contract.effective_end)
        if when is not None and when <= horizon:
            due.append((when, point, contract))
    due.sort(key=lambda row: (row[0], row[2].reference))

    def deciding(row) -> wq.QueueItem:
        when, point, contract = row
        return wq.QueueItem(
            title=f"{contract.reference}: {contract.title}",
            url=reverse("contracts:officer_contract", args=[contract.pk]),
            detail=contract.supplier.legal_name,
            when=when,
            when_label=f"Reaches its {point} on",
            tag="Extension decision" if point == "extension decision" else "Ending",
            tag_colour="yellow" if when < today + timedelta(days=92) else "blue",
        )

    return wq.Queue.of(
        due,
        deciding,
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
    overdue = notice_selectors.overdue_for_officer(user, today).count()
    return wq.Queue.of(
        notices,
        lambda notice: wq.QueueItem(
            title=f"{notice.get_notice_type_display()}: {notice.title}",
            url=reverse("notices:notice", args=[notice.pk]),
            detail=notice.deadline_basis,
            when=notice.deadline,
            when_label="Was due by" if notice.deadline < today else "Due by",
            tag="Overdue" if notice.deadline < today else "Due soon",
            tag_colour="red" if notice.deadline < today else "yellow",
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
