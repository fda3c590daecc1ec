"""Contract management meetings, their actions, and milestones."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from commissioning.audit import record
from commissioning.dates import Quarter
from commissioning.models import User

from ..models import (
    Contract,
    ContractMeeting,
    MeetingAction,
    Milestone,
    long_date,
)
from .common import ContractRuleError, _locked, _today


def meeting_date_for(quarter: Quarter) -> date:
    """Quarterly meetings fall on the 15th of the quarter's middle month (after the previous quarter's
    return is due), moved to the Monday if that is a weekend."""
    day = date(quarter.start.year, quarter.start.month, 1)
    month = day.month + 1
    day = date(day.year + (1 if month > 12 else 0), (month - 1) % 12 + 1, 15)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _extend_schedule(contract: Contract) -> int:
    """Add quarterly meetings for the new part of the term, if the contract has a schedule."""
    if not contract.meetings.filter(quarter__isnull=False).exists():
        return 0
    return len(_schedule(contract))


def _schedule(contract: Contract) -> list[ContractMeeting]:
    existing = set(contract.meetings.filter(quarter__isnull=False).values_list("financial_year", "quarter"))
    created = []
    quarter = Quarter.containing(contract.start_on)
    last = Quarter.containing(contract.effective_end_on)
    while quarter <= last:
        held_on = meeting_date_for(quarter)
        if (
            contract.start_on <= held_on <= contract.effective_end_on
            and (quarter.financial_year, quarter.number) not in existing
        ):
            created.append(
                ContractMeeting.objects.create(
                    contract=contract,
                    held_on=held_on,
                    financial_year=quarter.financial_year,
                    quarter=quarter.number,
                )
            )
        quarter = quarter.next()
    return created


def _trim_schedule(contract: Contract, *, after: date) -> int:
    """Remove scheduled meetings after a new, earlier end that have no notes, attendees or actions."""
    empty = contract.meetings.filter(
        quarter__isnull=False, held_on__gt=after, notes="", attendees="", actions__isnull=True
    )
    count = empty.count()
    ContractMeeting.objects.filter(pk__in=list(empty.values_list("pk", flat=True))).delete()
    return count


@transaction.atomic
def schedule_meetings(*, by: User, contract: Contract) -> list[ContractMeeting]:
    """Generate one contract meeting per financial quarter over the term. Safe to run again: it only
    adds the quarters that have no meeting yet."""
    contract = _locked(contract)
    if contract.terminated_on is not None and contract.terminated_on < contract.start_on:
        raise ContractRuleError("A contract terminated before it started has no meetings")
    created = _schedule(contract)
    record(
        "contracts.meetings_scheduled",
        by=by,
        obj=contract,
        data={"created": [m.held_on for m in created]},
    )
    return created


@transaction.atomic
def record_meeting(
    *, by: User, meeting: ContractMeeting, attendees: str, notes: str, held_on: date | None = None
) -> ContractMeeting:
    meeting.attendees = attendees
    meeting.notes = notes
    if held_on is not None:
        meeting.held_on = held_on
    meeting.save()
    record(
        "contracts.meeting_recorded",
        by=by,
        obj=meeting.contract,
        data={"meeting": meeting.pk, "held_on": meeting.held_on, "attendees": attendees},
    )
    return meeting


@transaction.atomic
def add_meeting_action(
    *, by: User, meeting: ContractMeeting, description: str, owner: str, due_on: date | None = None
) -> MeetingAction:
    if not description.strip():
        raise ContractRuleError("Enter the action", field="description")
    if not owner.strip():
        raise ContractRuleError("Enter who owns the action", field="owner")
    action = MeetingAction.objects.create(
        meeting=meeting, description=description.strip(), owner=owner.strip(), due_on=due_on
    )
    record(
        "contracts.meeting_action_added",
        by=by,
        obj=meeting.contract,
        data={"meeting": meeting.pk, "action": action.description, "owner": action.owner, "due_on": due_on},
    )
    return action


@transaction.atomic
def complete_action(*, by: User, action: MeetingAction) -> MeetingAction:
    """Mark a meeting action done: an officer, or a user of the contract's supplier."""
    action = MeetingAction.objects.select_for_update().select_related("meeting__contract").get(pk=action.pk)
    contract = action.meeting.contract
    if not by.has_perm("contracts.complete_action", action):
        raise ContractRuleError("Only the commissioner or the contract's provider can complete this action")
    if action.is_done:
        raise ContractRuleError(
            f"This action was already marked done on {long_date(timezone.localdate(action.done_at))}"
        )
    action.done_at = timezone.now()
    action.done_by = by
    action.save()
    record(
        "contracts.meeting_action_done",
        by=by,
        obj=contract,
        data={"meeting": action.meeting_id, "action": action.description},
    )
    return action


@transaction.atomic
def add_milestone(*, by: User | None, contract: Contract, name: str, due_on: date) -> Milestone:
    if not name.strip():
        raise ContractRuleError("Enter the milestone", field="name")
    milestone = Milestone.objects.create(contract=contract, name=name.strip(), due_on=due_on)
    record("contracts.milestone_added", by=by, obj=contract, data={"name": milestone.name, "due_on": due_on})
    return milestone


@transaction.atomic
def complete_milestone(
    *, by: User, milestone: Milestone, done_on: date | None = None, today: date | None = None
) -> Milestone:
    done_on = done_on or _today(today)
    if milestone.is_done:
        raise ContractRuleError("This milestone is already done")
    milestone.done_on = done_on
    milestone.save()
    record(
        "contracts.milestone_done",
        by=by,
        obj=milestone.contract,
        data={"name": milestone.name, "done_on": done_on},
    )
    return milestone
