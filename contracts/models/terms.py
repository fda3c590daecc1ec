"""The arithmetic of a contract's term: adding months, term ends, extended ends and the final-period
horizon, and the money field settings the contract models share."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import DateField, Func

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")
# A contract is "in its final six months" when its end falls before this many months from today.
FINAL_PERIOD_MONTHS = 6


# An extension is decided at most this long before the current end.
LONGEST_NOTICE_MONTHS = 24


def add_months(day: date, months: int) -> date:
    """The same day `months` later; a day the target month lacks rolls to the 1st of the next month.

    29 Feb 2024 + 12 months is 1 Mar 2025, so a one-year term from 29 Feb 2024 ends on 28 Feb 2025.
    """
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    if day.day <= last:
        return date(year, month, day.day)
    return date(year, month, last) + timedelta(days=1)


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier, clamped to the end of a shorter month."""
    month_index = day.month - 1 - months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def term_end(start: date, months: int) -> date:
    """The last day of a term of `months` starting on `start`: 1 Apr 2018 + 36 months -> 31 Mar 2021."""
    return add_months(start, months) - timedelta(days=1)


def extended_end(current_end: date, months: int) -> date:
    """The end after extending by `months`: the extension starts the day after the current end."""
    return term_end(current_end + timedelta(days=1), months)


def final_period_horizon(today: date) -> date:
    """A contract whose (effective) end is before this date is in its final six months."""
    return add_months(today, FINAL_PERIOD_MONTHS)


class MonthsBefore(Func):
    """`months_before` in the database, so a list can be filtered and ordered by a decision date without
    loading every contract: PostgreSQL's month interval clamps to a shorter month's end as
    `months_before` does; SQLite calls `months_before` itself (see `register_sqlite_functions`)."""

    output_field = DateField()
    arity = 2

    def _compiled(self, compiler):
        day, day_params = compiler.compile(self.source_expressions[0])
        months, months_params = compiler.compile(self.source_expressions[1])
        return day, months, (*day_params, *months_params)

    def as_postgresql(self, compiler, connection, **extra_context):
        day, months, params = self._compiled(compiler)
        return f"CAST({day} - make_interval(months => {months}) AS date)", params

    def as_sqlite(self, compiler, connection, **extra_context):
        day, months, params = self._compiled(compiler)
        return f"{SQLITE_MONTHS_BEFORE}({day}, {months})", params


SQLITE_MONTHS_BEFORE = "portal_months_before"


def _months_before_text(day: str | None, months: int | None) -> str | None:
    if day is None or months is None:
        return None
    return months_before(date.fromisoformat(day[:10]), int(months)).isoformat()


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """Connected to `connection_created`: gives each SQLite connection the functions the expressions
    above call."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_MONTHS_BEFORE, 2, _months_before_text, deterministic=True)
