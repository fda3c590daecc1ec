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

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta

from django.urls import reverse

from commissioning.dates import Quarter, long_date
from commissioning.models import User
from commissioning.notifications import Due, register_source, rule_for, when_phrase
from contracts.models import Contract

from .models import QuarterlyReturn, ReturnPeriod

KIND = "quarterly-returns"
# Overdue returns are looked for this far back (a year of quarters); older ones were chased long ago.
LOOKBACK_DAYS = 366


def _quarters_due_between(first: date, last: date) -> list[Quarter]:
    """Quarters whose standard due date falls between the two dates (inclusive)."""
    quarter = Quarter.containing(first - timedelta(days=120))
    found = []
    while quarter.return_due <= last:
        if quarter.return_due >= first:
            found.append(quarter)
        quarter = quarter.next()
    return found


def _occasion(quarter: Quarter, occasion: str) -> str:
    return f"{quarter.financial_year}-q{quarter.number}-{occasion}"


def quarterly_return_reminders(today: date) -> Iterator[Due]:
    rule = rule_for(KIND)
    quarters = _quarters_due_between(today - timedelta(days=LOOKBACK_DAYS), rule.horizon(today))
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
            for r in QuarterlyReturn.objects.filter(
                contract__in=[c.pk for c in contracts],
                period__financial_year=quarter.financial_year,
                period__quarter=quarter.number,
            ).only("pk", "contract_id", "due_on", "submitted_at")
        }
        providers = _provider_users([c for c in contracts if c.supplier_manager_user_id is None])
        officers = _authority_officers([c for c in contracts if c.officer_manager_id is None])
        for contract in contracts:
            existing = returns.get(contract.pk)
            if existing is not None and existing.submitted_at is not None:
                continue
            due = existing.due_on if existing is not None else (period.due_on if period else quarter.return_due)
            occasion = rule.occasion_for(due, today)
            provider_url = reverse("monitoring:edit_return", args=[contract.pk, quarter.financial_year, quarter.number])
            if occasion:
                for user in _recipients(contract.supplier_manager_user, providers.get(contract.supplier_id, [])):
                    overdue = occasion == "overdue"
                    yield Due(
                        recipient=user,
                        obligation=contract,
                        occasion=_occasion(quarter, occasion),
                        subject=(
                            f"Overdue: your {quarter.label} return for {contract.reference}"
                            if overdue
                            else f"Your {quarter.label} return for {contract.reference} is due "
                            f"{when_phrase(due, today)}"
                        ),
                        url=provider_url,
                        context={
                            "message": (
                                f"Your quarterly performance return for {contract.title} ({quarter.label}) was due on "
                                f"{long_date(due)} and has not been submitted. Submit it as soon as you can."
                                if overdue
                                else f"Your quarterly performance return for {contract.title} ({quarter.label}) is "
                                f"due by {long_date(due)}."
                            ),
                            "details": [
                                ("Contract", f"{contract.reference}: {contract.title}"),
                                ("Quarter", f"{quarter.label}, {long_date(quarter.start)} to {long_date(quarter.end)}"),
                                ("Due by", long_date(due)),
                            ],
                            "action": "Complete your return",
                        },
                    )
            if rule.escalation_due(due, today):
                days = (today - due).days
                officer_url = (
                    reverse("monitoring:review", args=[existing.pk])
                    if existing is not None
                    else reverse("monitoring:dashboard") + f"?quarter={quarter.financial_year}-q{quarter.number}"
                    f"&supplier={contract.supplier_id}"
                )
                for user in _recipients(contract.officer_manager, officers.get(contract.buying_authority_id, [])):
                    yield Due(
                        recipient=user,
                        obligation=contract,
                        occasion=_occasion(quarter, "escalated"),
                        subject=f"{contract.supplier.legal_name}'s {quarter.label} return for {contract.reference} is "
                        f"{days} days overdue",
                        url=officer_url,
                        context={
                            "message": (
                                f"{contract.supplier.legal_name} has not submitted the {quarter.label} return for "
                                f"{contract.title}. It was due on {long_date(due)}, {days} days ago."
                            ),
                            "details": [
                                ("Contract", f"{contract.reference}: {contract.title}"),
                                ("Status", "Draft" if existing is not None else "Not started"),
                            ],
                            "action": "See the returns dashboard",
                        },
                    )


def _recipients(named: User | None, fallback: list[User]) -> list[User]:
    if named is not None:
        return [named] if named.is_active else []
    return fallback


def _provider_users(contracts: list[Contract]) -> dict[int, list[User]]:
    found: dict[int, list[User]] = defaultdict(list)
    if contracts:
        for user in User.objects.filter(
            supplier_membership__supplier__in={c.supplier_id for c in contracts},
            is_active=True,
            role=User.Role.PROVIDER,
        ).select_related("supplier_membership"):
            found[user.supplier_membership.supplier_id].append(user)
    return found


def _authority_officers(contracts: list[Contract]) -> dict[int, list[User]]:
    found: dict[int, list[User]] = defaultdict(list)
    if contracts:
        for user in User.objects.filter(
            authority__in={c.buying_authority_id for c in contracts}, is_active=True, role=User.Role.OFFICER
        ):
            found[user.authority_id].append(user)
    return found


def register() -> None:
    register_source(
        KIND,
        quarterly_return_reminders,
        label="Quarterly performance returns",
        offsets="14,7,1",
        escalate_after_days=7,
        remind_when_overdue=True,
    )
