"""Open frameworks as data (s.49 of the Procurement Act 2023): a scheme of successive framework awards. The
scheme re-awards at least once within 3 years of its first award and then at least once in each 5 years,
and lasts 8 years at most; inside those limits the scheme's own policy (seed 000: at least once every 12
months, `Framework.reaward_months`) decides when the next re-award is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from commissioning import events
from commissioning.audit import record
from commissioning.dates import long_date
from commissioning.models import User
from commissioning.rules import acts_for_running_authority

from .events import FRAMEWORK_AWARDED
from .models import ApplicationWindow, Appointment, Framework, FrameworkAward
from .services import SelectionRuleError

FIRST_REAWARD_YEARS = 3
LATER_REAWARD_YEARS = 5
MAX_SCHEME_YEARS = 8


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def scheme_end(framework: Framework, scheme_start: date) -> date:
    """The last day an open framework scheme may run: 8 years from its first award."""
    return add_years(scheme_start, MAX_SCHEME_YEARS) - timedelta(days=1)


@dataclass(frozen=True)
class ReawardDue:
    due_on: date
    basis: str


def next_reaward(framework: Framework, awards: list[FrameworkAward]) -> ReawardDue | None:
    """When the scheme must next be re-awarded, and why (None for a closed framework, or once the next
    re-award would fall after the scheme's last day)."""
    if not framework.is_open_framework or not awards:
        return None
    first, last = awards[0], awards[-1]
    end = scheme_end(framework, first.starts_on)
    by_law = add_years(last.starts_on, FIRST_REAWARD_YEARS if len(awards) == 1 else LATER_REAWARD_YEARS) - timedelta(
        days=1
    )
    month_index = last.starts_on.month - 1 + framework.reaward_months
    year = last.starts_on.year + month_index // 12
    try:
        by_policy = date(year, month_index % 12 + 1, last.starts_on.day) - timedelta(days=1)
    except ValueError:
        by_policy = date(year, month_index % 12 + 2, 1) - timedelta(days=1)
    due = min(by_law, by_policy)
    if due >= end:
        return None
    law = f"{FIRST_REAWARD_YEARS if len(awards) == 1 else LATER_REAWARD_YEARS} years of award {last.sequence} (s.49)"
    return ReawardDue(
        due,
        f"By {long_date(due)}: the scheme's policy re-awards at least every {framework.reaward_months} months, within "
        f"the Act's limit of {law}; the scheme may run to {long_date(end)} (8 years at most).",
    )


# Writes ----------------------------------------------------------------------------------------------------


def _require_lead_officer(framework: Framework, by: User) -> None:
    if not acts_for_running_authority(by, framework):
        raise PermissionDenied("Only officers of the lead authority may award the framework.")


@transaction.atomic
def award_framework(
    *,
    framework: Framework,
    starts_on: date,
    by: User,
    window: ApplicationWindow | None = None,
    now: datetime | None = None,
) -> FrameworkAward:
    """Record the framework's first award, or an open framework's re-award: the new award starts on
    `starts_on` and ends the one before it the day before; appointees from earlier windows stay on the list.
    Refused after the framework's (or scheme's) end, and a closed framework is awarded once."""
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    _require_lead_officer(framework, by)
    awards = list(framework.awards.order_by("sequence"))
    if awards and not framework.is_open_framework:
        raise SelectionRuleError("A closed framework is awarded once; only an open framework is re-awarded (s.49).")
    if not framework.term_start <= starts_on <= framework.term_end:
        raise SelectionRuleError(
            f"An award must start within the framework's term, {long_date(framework.term_start)} to "
            f"{long_date(framework.term_end)}."
        )
    if awards:
        last = awards[-1]
        if starts_on <= last.starts_on:
            raise SelectionRuleError(f"The re-award must start after award {last.sequence} began.")
        if starts_on > scheme_end(framework, awards[0].starts_on):
            raise SelectionRuleError("An open framework scheme lasts 8 years at most (s.49).")
    if window is not None and window.framework_id != framework.pk:
        raise SelectionRuleError("That application window belongs to another framework.")
    if awards:
        last.ends_on = starts_on - timedelta(days=1)
        last.save(update_fields=["ends_on"])
    award = FrameworkAward(
        framework=framework,
        sequence=len(awards) + 1,
        window=window,
        starts_on=starts_on,
        ends_on=framework.term_end,
        awarded_at=now or timezone.now(),
        awarded_by=by,
    )
    award.save()
    events.send(
        FRAMEWORK_AWARDED,
        framework_id=framework.pk,
        award_id=award.pk,
        ended_award_id=awards[-1].pk if awards else None,
        by_id=by.pk,
    )
    kept = Appointment.objects.filter(lot__framework=framework).exclude(status=Appointment.Status.REMOVED).count()
    record(
        "framework.awarded",
        by=by,
        obj=framework,
        data={
            "award": award.sequence,
            "starts_on": starts_on,
            "window": str(window) if window else None,
            "appointees_kept": kept,
            "next_reaward": next_reaward(framework, [*awards, award]).due_on if framework.is_open_framework else None,
        },
    )
    return award
