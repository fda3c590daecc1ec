"""Dates the commissioning documents rely on: financial years, quarters, return due dates, 5pm
deadlines in Europe/London, working days across the UK and the standstill period. One place, so every
app counts the same way."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_calendar
from django.conf import settings

LONDON = ZoneInfo("Europe/London")
# The parts of the UK whose bank holidays close a working day (s.123 Procurement Act 2023).
UK_PARTS = {"ENG": "England", "WLS": "Wales", "SCT": "Scotland", "NIR": "Northern Ireland"}


def financial_year_of(day: date) -> int:
    """The calendar year the financial year starts in (1 April to 31 March): 2026-02-01 -> 2025."""
    return day.year if day.month >= 4 else day.year - 1


def long_date(day: date) -> str:
    """1 April 2018, as GOV.UK writes dates (and cheaper than the `date` filter in a long table)."""
    return f"{day.day} {day:%B %Y}"


def short_date(day: date) -> str:
    """1 Apr 2018: the `date:"j M Y"` of a table with many dates, for a fraction of its cost."""
    return f"{day.day} {day:%b %Y}"


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


@lru_cache(maxsize=64)
def _uk_calendar(year: int) -> dict[date, str]:
    """Bank holidays of every part of the UK in `year`, from the maintained `holidays` calendar: each day
    with the parts it is a holiday in, e.g. {date(2025, 12, 1): "Saint Andrew's Day (observed) (Scotland)"}."""
    found: dict[date, list[str]] = {}
    for code, part in UK_PARTS.items():
        for day, name in holidays_calendar.UK(subdiv=code, years=year).items():
            found.setdefault(day, [])
            label = f"{name} ({part})"
            if label not in found[day]:
                found[day].append(label)
    return {day: "; ".join(labels) for day, labels in sorted(found.items())}


def bank_holidays(year: int) -> frozenset[date]:
    """Bank holidays in any part of the United Kingdom (England, Wales, Scotland, Northern Ireland), as
    s.123 of the Procurement Act 2023 counts a working day, with substitute days. One-off days the
    calendar does not know yet (a coronation, a state funeral) come from the EXTRA_BANK_HOLIDAYS setting."""
    return frozenset(_uk_calendar(year)) | {day for day in settings.EXTRA_BANK_HOLIDAYS if day.year == year}


def bank_holiday_name(day: date) -> str:
    """Why a day is a bank holiday, naming the parts of the UK ("" when it is not one)."""
    if day in settings.EXTRA_BANK_HOLIDAYS:
        return "Bank holiday (EXTRA_BANK_HOLIDAYS)"
    return _uk_calendar(day.year).get(day, "")


def is_working_day(day: date, holidays: frozenset[date] | None = None) -> bool:
    closed = holidays if holidays is not None else bank_holidays(day.year)
    return day.weekday() < 5 and day not in closed


def add_working_days(start: date, days: int, holidays: frozenset[date] | None = None) -> date:
    """Count forward over Monday to Friday from the day after `start`, skipping the bank holidays of
    every part of the UK (unless the caller gives its own set)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current, holidays):
            remaining -= 1
    return current


def standstill_last_day(published_on: date, days: int | None = None) -> date:
    """The last day of a standstill period of `days` working days *beginning with* the day the contract
    award notice is published (s.51 of the Procurement Act 2023): a notice published on a working day
    counts that day as the first; one published at a weekend or on a bank holiday starts on the next
    working day. The contract may be entered into from the day after."""
    days = settings.STANDSTILL_WORKING_DAYS if days is None else days
    return add_working_days(published_on - timedelta(days=1), days)
