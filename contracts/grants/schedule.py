"""Payment schedules of grant agreements: quarterly, annual or single payments, in advance (due on the
first day of each period) or in arrears (due when the period's quarterly return is due, the end of the
first month after the quarter), each period's share pro rata by day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from commissioning.dates import Quarter, financial_year_of

PENNY = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    due_on: date
    amount: Decimal


def _periods(start: date, end: date, frequency: str) -> list[tuple[date, date]]:
    if frequency == "once":
        return [(start, end)]
    periods = []
    day = start
    while day <= end:
        quarterly = frequency == "quarterly"  # otherwise annually, by financial year
        last = Quarter.containing(day).end if quarterly else date(financial_year_of(day) + 1, 3, 31)
        periods.append((day, min(last, end)))
        day = min(last, end) + timedelta(days=1)
    return periods


def payment_schedule(start: date, end: date, total: Decimal, *, frequency: str, timing: str) -> list[Period]:
    """The payments of a grant of `total` from `start` to `end` (the last payment takes the rounding)."""
    periods = _periods(start, end, frequency)
    days = (end - start).days + 1
    schedule, left = [], Decimal(total)
    for index, (first, last) in enumerate(periods):
        if index == len(periods) - 1:
            amount = left
        else:
            amount = (Decimal(total) * ((last - first).days + 1) / days).quantize(PENNY, ROUND_HALF_UP)
        left -= amount
        due = first if timing == "advance" else Quarter.containing(last).return_due
        schedule.append(Period(first, last, due, amount))
    return schedule


def values_by_year(start: date, end: date, total: Decimal) -> dict[int, Decimal]:
    """The grant's value in each financial year, pro rata by day (for the register)."""
    days = (end - start).days + 1
    values: dict[int, Decimal] = {}
    day = start
    left = Decimal(total)
    years = list(range(financial_year_of(start), financial_year_of(end) + 1))
    for year in years:
        last = min(date(year + 1, 3, 31), end)
        if year == years[-1]:
            values[year] = left
        else:
            values[year] = (Decimal(total) * ((last - day).days + 1) / days).quantize(PENNY, ROUND_HALF_UP)
            left -= values[year]
        day = last + timedelta(days=1)
    return values
