"""Dates the commissioning documents rely on: financial years, quarters, return due dates, 5pm
deadlines in Europe/London and working days. One place, so every app counts the same way."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

LONDON = ZoneInfo("Europe/London")


def financial_year_of(day: date) -> int:
    """The calendar year the financial year starts in (1 April to 31 March): 2026-02-01 -> 2025."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


@dataclass(frozen=True, order=True)
class Quarter:
    """A financial-year quarter: Q1 Apr-Jun, Q2 Jul-Sep, Q3 Oct-Dec, Q4 Jan-Mar."""

    financial_year: int
    number: int

    @property
    def start(self) -> date:
        month = 4 + 3 * (self.number - 1)
        year = self.financial_year + (1 if month > 12 else 0)
        return date(year, (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        last_month_start = self.start.replace(day=1)
        month = last_month_start.month + 2
        year = last_month_start.year + (1 if month > 12 else 0)
        month = (month - 1) % 12 + 1
        return date(year, month, calendar.monthrange(year, month)[1])

    @property
    def return_due(self) -> date:
        """Returns are due by the last day of the first month after the quarter."""
        following = self.end + timedelta(days=1)
        return following.replace(day=calendar.monthrange(following.year, following.month)[1])

    @property
    def label(self) -> str:
        return f"{financial_year_label(self.financial_year)} Q{self.number}"

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.financial_year + 1, 1)
        return Quarter(self.financial_year, self.number + 1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.financial_year - 1, 4)
        return Quarter(self.financial_year, self.number - 1)

    @classmethod
    def containing(cls, day: date) -> Quarter:
        fy = financial_year_of(day)
        month_index = (day.month - 4) % 12
        return cls(fy, month_index // 3 + 1)


def deadline_on(day: date, at: time | None = None) -> datetime:
    """An aware deadline on a London calendar day, 17:00 unless said otherwise (BST or GMT as it falls)."""
    return datetime.combine(day, at or settings.DEADLINE_DEFAULT_TIME, tzinfo=LONDON)


def add_working_days(start: date, days: int, holidays: frozenset[date] = frozenset()) -> date:
    """Count forward over Monday to Friday, skipping the given bank holidays."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            remaining -= 1
    return current
