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


def long_date(day: date) -> str:
    """1 April 2018, as GOV.UK writes dates (and cheaper than the `date` filter in a long table)."""
    return f"{day.day} {day:%B %Y}"


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


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month = (h + l_ - 7 * m + 90) // 25
    return date(year, month, (h + l_ - 7 * m + 33 * month + 19) % 32)


def _monday(year: int, month: int, *, last: bool) -> date:
    days = calendar.monthcalendar(year, month)
    mondays = [week[calendar.MONDAY] for week in days if week[calendar.MONDAY]]
    return date(year, month, mondays[-1] if last else mondays[0])


def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays by the standing rules, with substitute days when New Year,
    Christmas or Boxing Day fall at a weekend. One-off days (a coronation, a state funeral) are not
    in the rules: add them with the EXTRA_BANK_HOLIDAYS setting."""
    easter = easter_sunday(year)
    days = {
        easter - timedelta(days=2),  # Good Friday
        easter + timedelta(days=1),  # Easter Monday
        _monday(year, 5, last=False),  # early May
        _monday(year, 5, last=True),  # spring
        _monday(year, 8, last=True),  # summer
    }
    new_year = date(year, 1, 1)
    days.add(new_year + timedelta(days=(7 - new_year.weekday()) % 7) if new_year.weekday() >= 5 else new_year)
    christmas, boxing = date(year, 12, 25), date(year, 12, 26)
    if christmas.weekday() == 5:  # Saturday: both move to Monday and Tuesday
        days |= {date(year, 12, 27), date(year, 12, 28)}
    elif christmas.weekday() == 6:  # Sunday: Christmas on Tuesday, Boxing Day on Monday
        days |= {boxing, date(year, 12, 27)}
    elif christmas.weekday() == 4:  # Friday: Boxing Day on Monday
        days |= {christmas, date(year, 12, 28)}
    else:
        days |= {christmas, boxing}
    return frozenset(days | {day for day in settings.EXTRA_BANK_HOLIDAYS if day.year == year})


def add_working_days(start: date, days: int, holidays: frozenset[date] | None = None) -> date:
    """Count forward over Monday to Friday, skipping bank holidays (England and Wales unless the
    caller gives its own set)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        closed = holidays if holidays is not None else bank_holidays(current.year)
        if current.weekday() < 5 and current not in closed:
            remaining -= 1
    return current
