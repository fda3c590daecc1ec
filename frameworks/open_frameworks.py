"""Open frameworks as data (s.49 of the Procurement Act 2023): a scheme of successive framework awards. The
scheme re-awards at least once within 3 years of its first award and then at least once in each 5 years,
and lasts 8 years at most; inside those limits the scheme's own policy (seed 000: at least once every 12
months, `Framework.reaward_months`) decides when the next re-award is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from commissioning.dates import long_date

from .models import Framework, FrameworkAward

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
