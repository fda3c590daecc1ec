"""Contracts reaching an extension decision point or their end in 6 and 3 months (to officers), and
contract meetings in 7 days (to the contract managers on both sides)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.urls import reverse

from commissioning.dates import long_date
from commissioning.models import User
from commissioning.notifications import Due, register_source, rule_for, when_phrase
from commissioning.reminder_sources import remind_each

from .models import Contract, ContractMeeting

DECISIONS = "contract-decision-points"
MEETINGS = "contract-meetings"


def _officers_for(contract: Contract) -> list[User]:
    if contract.officer_manager_id and contract.officer_manager.is_active:
        return [contract.officer_manager]
    return list(User.objects.filter(role=User.Role.OFFICER, is_active=True, authority=contract.buying_authority_id))


def decision_reminders(today: date) -> Iterator[Due]:
    rule = rule_for(DECISIONS)
    contracts = (
        Contract.objects.in_force_on(today)
        .select_related("officer_manager", "supplier")
        .prefetch_related("extension_options")
    )
    for contract in contracts:
        decision_on = contract.next_extension_decision_on()
        point, when = ("extension decision", decision_on) if decision_on else ("end", contract.current_end_on)
        if when is None or when > rule.horizon(today):
            continue
        occasion = rule.occasion_ahead_of(when, today)
        if not occasion:
            continue
        subject = f"{contract.reference} reaches its {point} {when_phrase(when, today)}"
        yield from remind_each(
            _officers_for(contract),
            obligation=contract,
            occasion=f"{point}-{when}-{occasion}",
            subject=subject,
            url=reverse("contracts:officer_contract", args=[contract.pk]),
            message=f"{contract.title} ({contract.supplier}) reaches its {point} on "
            f"{long_date(when)}. Decide whether to extend, recommission or end it.",
            details=[("Current end date", long_date(contract.current_end_on))],
            action="Open the contract",
        )


def meeting_reminders(today: date) -> Iterator[Due]:
    rule = rule_for(MEETINGS)
    meetings = ContractMeeting.objects.filter(held_on__gte=today, held_on__lte=rule.horizon(today)).select_related(
        "contract__officer_manager", "contract__supplier_manager_user"
    )
    for meeting in meetings:
        occasion = rule.occasion_for(meeting.held_on, today)
        if not occasion:
            continue
        contract = meeting.contract
        people = [u for u in (contract.officer_manager, contract.supplier_manager_user) if u and u.is_active]
        for person in people:
            url = (
                reverse("contracts:officer_contract", args=[contract.pk])
                if person.role == User.Role.OFFICER
                else reverse("contracts:provider_contract", args=[contract.pk])
            )
            yield from remind_each(
                [person],
                obligation=meeting,
                occasion=occasion,
                subject=f"Contract meeting for {contract.reference} {when_phrase(meeting.held_on, today)}",
                url=url,
                message=f"The contract management meeting for {contract.title} is on "
                f"{long_date(meeting.held_on)}. Bring the actions due and the latest return.",
                details=[("Meeting", long_date(meeting.held_on))],
                action="See the contract",
            )


def register() -> None:
    register_source(
        DECISIONS,
        decision_reminders,
        label="Contracts reaching a decision point or their end",
        offsets="183,92",
        remind_when_overdue=False,
    )
    register_source(MEETINGS, meeting_reminders, label="Contract meetings", offsets="7", remind_when_overdue=False)
