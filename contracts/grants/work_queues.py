"""Grants on the home pages (see `commissioning.work_queues`): for providers, the grant rounds open for
applications; for officers, the applications waiting for their decision and the grant payments whose
due date has passed unpaid. Each builder reads with a fixed number of queries (a count and a capped slice)."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from commissioning import work_queues as wq
from commissioning.dates import long_date

from . import selectors


def open_rounds(user, now: datetime) -> wq.Queue:
    rounds = selectors.open_rounds(timezone.localdate(now)).only("title", "reference", "closes_on", "authority__name")
    return wq.Queue.of(
        rounds,
        lambda grant_round: wq.QueueItem(
            title=grant_round.title,
            url=reverse("contracts:provider_grant_apply", args=[grant_round.pk]),
            detail=f"{grant_round.reference}, {grant_round.authority.name}",
            when=grant_round.closes_on,
            when_label="Closes on" if grant_round.closes_on else "",
            tag="" if grant_round.closes_on else "Rolling",
            tag_colour="" if grant_round.closes_on else "blue",
        ),
        key="grant-rounds-open",
        heading="Grant rounds open for applications",
        urgency=wq.INFORMATION,
        see_all_url=reverse("contracts:provider_grants"),
        see_all_label="See grants and your applications",
    )


def applications_to_decide(user, now: datetime) -> wq.Queue:
    applications = selectors.applications_to_decide(user)
    return wq.Queue.of(
        applications,
        lambda application: wq.QueueItem(
            title=f"{application.applicant_name}: {application.project}",
            url=reverse("contracts:decide_grant", args=[application.pk]),
            detail=f"{application.round.title}, £{application.amount_requested:,.2f} requested",
            when=application.submitted_on,
            when_label="Received on",
        ),
        key="grant-applications-to-decide",
        heading="Grant applications to decide",
        urgency=wq.ACTION,
        see_all_url=reverse("contracts:grant_rounds"),
        see_all_label="See your grant rounds",
    )


def payments_overdue(user, now: datetime) -> wq.Queue:
    today = timezone.localdate(now)
    payments = selectors.payments_overdue(user, today)
    return wq.Queue.of(
        payments,
        lambda payment: wq.QueueItem(
            title=f"{payment.contract.reference}: £{payment.amount:,.2f}",
            url=reverse("contracts:record_grant_payment", args=[payment.pk]),
            detail=f"{payment.contract.supplier.legal_name if payment.contract.supplier_id else ''}, for "
            f"{long_date(payment.period_start)} to {long_date(payment.period_end)}",
            **wq.deadline(payment.due_on, today),  # overdue: the selector's payments were due before today
        ),
        key="grant-payments-overdue",
        heading="Grant payments overdue",
        urgency=wq.OVERDUE,
        see_all_url=reverse("contracts:officer_register"),
        see_all_label="See the contract register",
    )


def register() -> None:
    wq.register("provider", "grant-rounds-open", open_rounds)
    wq.register("officer", "grant-applications-to-decide", applications_to_decide)
    wq.register("officer", "grant-payments-overdue", payments_overdue)
