"""Reminders about quarterly returns, through the portal's reminder sweep (`commissioning.notifications`).

The source works out from the database, each day, which returns are not yet submitted and how far their
due date is: the provider's contract manager (or, when none is named, every active user of the provider)
is reminded 14, 7 and 1 days before and once it is overdue; the officer managing the contract (or the
buying authority's officers) is told once it is 7 days overdue. Officers change these offsets in the
admin (Reminder rules). Each reminder goes once per person, return and occasion, however often the sweep
runs: the obligation is the contract and the occasion names the quarter.

A return counts as sent from its first submission; a return sent back for amendment is not chased here
(the provider was told when it was returned).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commissioning.audit import record
from commissioning.dates import Quarter, long_date
from commissioning.models import User
from commissioning.notifications import Due, register_source, rule_for, send_once_after_commit, when_phrase
from commissioning.reminder_sources import officers_by_authority, provider_users_by_supplier, remind_each
from commissioning.rules import acts_for_running_authority
from contracts.models import Contract

from .models import QuarterlyReturn, ReturnPeriod
from .work_queues import quarters_due_between

KIND = "quarterly-returns"
# Overdue returns are looked for this far back (a year of quarters); older ones were chased long ago.
LOOKBACK_DAYS = 366


def _occasion(quarter: Quarter, occasion: str) -> str:
    return f"{quarter.financial_year}-q{quarter.number}-{occasion}"


def quarterly_return_reminders(today: date) -> Iterator[Due]:
    rule = rule_for(KIND)
    # Oldest quarter first (the work queues list them most recent first).
    quarters = sorted(quarters_due_between(today - timedelta(days=LOOKBACK_DAYS), rule.horizon(today)))
    if not quarters:
        return
    periods = {
        (p.financial_year, p.quarter): p
        for p in ReturnPeriod.objects.filter(financial_year__in={q.financial_year for q in quarters})
    }
    for quarter in quarters:
        period = periods.get((quarter.financial_year, quarter.number))
        contracts = list(
            Contract.objects.in_force_during(quarter.start, quarter.end)
            .select_related("supplier", "supplier_manager_user", "officer_manager")
            .order_by("pk")
        )
        if not contracts:
            continue
        returns = {
            r.contract_id: r
            for r in QuarterlyReturn.objects.of_quarter(quarter, contracts).only(
                "pk", "contract_id", "due_on", "submitted_at"
            )
        }
        providers = provider_users_by_supplier(c.supplier_id for c in contracts if c.supplier_manager_user_id is None)
        officers = officers_by_authority(c.buying_authority_id for c in contracts if c.officer_manager_id is None)
        for contract in contracts:
            existing = returns.get(contract.pk)
            if existing is not None and existing.submitted_at is not None:
                continue
            due = existing.due_on if existing is not None else (period.due_on if period else quarter.return_due)
            occasion = rule.occasion_for(due, today)
            if occasion:
                yield from _provider_reminders(
                    contract, quarter, due, today, occasion, providers.get(contract.supplier_id, [])
                )
            if rule.escalation_due(due, today):
                days = (today - due).days
                officer_url = (
                    reverse("monitoring:review", args=[existing.pk])
                    if existing is not None
                    else reverse("monitoring:dashboard") + f"?quarter={quarter.financial_year}-q{quarter.number}"
                    f"&supplier={contract.supplier_id}"
                )
                yield from remind_each(
                    _recipients(contract.officer_manager, officers.get(contract.buying_authority_id, [])),
                    obligation=contract,
                    occasion=_occasion(quarter, "escalated"),
                    subject=f"{contract.supplier.legal_name}'s {quarter.label} return for {contract.reference} is "
                    f"{days} days overdue",
                    url=officer_url,
                    message=f"{contract.supplier.legal_name} has not submitted the {quarter.label} return for "
                    f"{contract.title}. It was due on {long_date(due)}, {days} days ago.",
                    details=[
                        ("Contract", f"{contract.reference}: {contract.title}"),
                        ("Status", "Draft" if existing is not None else "Not started"),
                    ],
                    action="See the returns dashboard",
                )


def _provider_reminders(
    contract: Contract, quarter: Quarter, due: date, today: date, occasion: str, fallback: list[User]
) -> Iterator[Due]:
    """The reminder to each provider recipient of a contract about one quarter's return."""
    provider_url = reverse("monitoring:edit_return", args=[contract.pk, quarter.financial_year, quarter.number])
    overdue = occasion == "overdue" or occasion.startswith("chased-")
    yield from remind_each(
        _recipients(contract.supplier_manager_user, fallback),
        obligation=contract,
        occasion=_occasion(quarter, occasion),
        subject=(
            f"Overdue: your {quarter.label} return for {contract.reference}"
            if overdue
            else f"Your {quarter.label} return for {contract.reference} is due {when_phrase(due, today)}"
        ),
        url=provider_url,
        message=(
            f"Your quarterly performance return for {contract.title} ({quarter.label}) was due on "
            f"{long_date(due)} and has not been submitted. Submit it as soon as you can."
            if overdue
            else f"Your quarterly performance return for {contract.title} ({quarter.label}) is due by {long_date(due)}."
        ),
        details=[
            ("Contract", f"{contract.reference}: {contract.title}"),
            ("Quarter", f"{quarter.label}, {long_date(quarter.start)} to {long_date(quarter.end)}"),
            ("Due by", long_date(due)),
        ],
        action="Complete your return",
    )


def overdue_reminders_by_officer(contract: Contract, quarter: Quarter, due: date, today: date) -> list[Due]:
    """What an officer's "Send a reminder" sends: the overdue reminder, to the same people as the sweep's,
    once per recipient and day (the occasion names the day)."""
    providers = provider_users_by_supplier([contract.supplier_id]) if contract.supplier_manager_user_id is None else {}
    return list(
        _provider_reminders(
            contract, quarter, due, today, f"chased-{today.isoformat()}", providers.get(contract.supplier_id, [])
        )
    )


class ReminderRefused(ValidationError):
    pass


def due_date_of(contract: Contract, quarter: Quarter) -> tuple[date, QuarterlyReturn | None]:
    """When the contract's return for the quarter is due (its own agreed date, else the period's, else the
    standard one), and the return if one was started."""
    existing = (
        QuarterlyReturn.objects.filter(
            contract=contract, period__financial_year=quarter.financial_year, period__quarter=quarter.number
        )
        .only("pk", "due_on", "submitted_at", "contract_id")
        .first()
    )
    if existing is not None:
        return existing.due_on, existing
    period = ReturnPeriod.objects.filter(financial_year=quarter.financial_year, quarter=quarter.number).first()
    return (period.due_on if period else quarter.return_due), None


@transaction.atomic
def send_overdue_reminder(*, contract: Contract, quarter: Quarter, by: User, today: date | None = None) -> int:
    """An officer of the buying authority chases an overdue return from their home page: the overdue
    reminder goes to the provider through the reminder mechanism (once per recipient and day) and the
    decision is recorded in the audit trail. Returns how many people were sent it."""
    today = today or timezone.localdate()
    if not acts_for_running_authority(by, contract):
        raise PermissionDenied("Only an officer of the buying authority can chase this return.")
    due, existing = due_date_of(contract, quarter)
    if existing is not None and existing.submitted_at is not None:
        raise ReminderRefused("This return has been submitted: there is nothing to chase.")
    if due >= today:
        raise ReminderRefused(f"This return is not overdue: it is due by {long_date(due)}.")
    if not Contract.objects.in_force_during(quarter.start, quarter.end).filter(pk=contract.pk).exists():
        raise ReminderRefused("The contract was not in force during that quarter.")
    sent = [
        n
        for n in (
            send_once_after_commit(kind=KIND, due=item)
            for item in overdue_reminders_by_officer(contract, quarter, due, today)
        )
        if n is not None
    ]
    record(
        "returns.reminder_sent",
        by=by,
        obj=contract,
        data={
            "quarter": quarter.label,
            "due_on": due,
            "recipients": [n.email for n in sent],
            "already_sent_today": not sent,
        },
    )
    return len(sent)


def _recipients(named: User | None, fallback: list[User]) -> list[User]:
    if named is not None:
        return [named] if named.is_active else []
    return fallback


def register() -> None:
    register_source(
        KIND,
        quarterly_return_reminders,
        label="Quarterly performance returns",
        offsets="14,7,1",
        escalate_after_days=7,
        remind_when_overdue=True,
    )
