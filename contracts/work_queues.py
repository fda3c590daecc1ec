"""Contracts and notices on the officer's home page (see `commissioning.work_queues`): contracts reaching
their extension decision point or their end within six months, and Procurement Act notices due or
overdue. Each builder reads with a fixed number of queries, each of a bounded number of rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from commissioning import work_queues as wq
from commissioning.rules import acting_for_filter

from .models import Contract, add_months, months_before
from .models.terms import LONGEST_NOTICE_MONTHS
from .notices import selectors as notice_selectors

DECISION_MONTHS = 6
NOTICES_SOON_DAYS = 14
NOTICE_DEADLINE = replace(wq.DUE, passed_label="Was due by")


def reaching_a_decision(user, today: date) -> QuerySet[Contract]:
    """Contracts in force whose next decision point (the notice period before the current end, while an option
    is left to exercise) or end falls within six months, soonest first. Read in the order of the decision point
    each live contract keeps (`contracts.decision_points`), off its index: a contract in force has its decision
    point at most the longest notice period before today (its end is today or later), which bounds the part of
    the index read from below, however many contracts have ended."""
    return (
        Contract.objects.in_force_on(today)
        .filter(
            acting_for_filter(user, "buying_authority"),
            decision_point_on__gte=months_before(today, LONGEST_NOTICE_MONTHS),
            decision_point_on__lte=add_months(today, DECISION_MONTHS),
        )
        .with_next_decision()
        .select_related("supplier")
        .order_by("decision_point_on", "reference")
    )


def contracts_deciding(user, now: datetime) -> wq.Queue:
    """The officers' queue of contracts reaching a decision point: five rows and a bounded count however many
    contracts are in force."""
    today = timezone.localdate(now)
    deciding = reaching_a_decision(user, today).only("reference", "title", "supplier__legal_name")
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
        .select_related(None)
        .only("notice_type", "title", "deadline", "deadline_basis")  # what a row shows, not the notice's content
        .order_by("deadline", "pk")
    )
    queue = wq.Queue.of(
        notices,
        lambda notice: wq.QueueItem(
            title=f"{notice.get_notice_type_display()}: {notice.title}",
            url=reverse("notices:notice", args=[notice.pk]),
            detail=notice.deadline_basis,
            **wq.deadline(notice.deadline, today, NOTICE_DEADLINE),
        ),
        key="notices-due",
        heading="Notices due",
        urgency=wq.ACTION,
        see_all_url=reverse("notices:officer_notices"),
        see_all_label="See all notices",
    )
    # Soonest deadline first: an overdue notice, if there is one, is the first shown (no query to ask).
    if queue.items and queue.items[0].when < today:
        queue.urgency = wq.OVERDUE
    return queue


def register() -> None:
    wq.register("officer", "contracts-deciding", contracts_deciding)
    wq.register("officer", "notices-due", notices_due)
