from datetime import date, time

import pytest

from commissioning.dates import Quarter, add_working_days, deadline_on, financial_year_of


@pytest.mark.parametrize(
    ("day", "fy"),
    [
        (date(2026, 3, 31), 2025),
        (date(2026, 4, 1), 2026),
        (date(2027, 1, 15), 2026),
        (date(2026, 12, 31), 2026),
    ],
)
def test_financial_year_runs_april_to_march(day, fy):
    assert financial_year_of(day) == fy


@pytest.mark.parametrize(
    ("number", "start", "end", "due"),
    [
        (1, date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 31)),
        (2, date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 31)),
        (3, date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 31)),
        (4, date(2027, 1, 1), date(2027, 3, 31), date(2027, 4, 30)),
    ],
)
def test_quarters_and_their_return_due_dates(number, start, end, due):
    quarter = Quarter(2026, number)
    assert (quarter.start, quarter.end, quarter.return_due) == (start, end, due)
    assert Quarter.containing(start) == quarter == Quarter.containing(end)


def test_quarters_step_across_financial_years():
    assert Quarter(2025, 4).next() == Quarter(2026, 1)
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter(2025, 4).label == "2025/26 Q4"


def test_deadlines_are_5pm_london_in_summer_and_winter():
    summer = deadline_on(date(2026, 7, 31))
    winter = deadline_on(date(2027, 1, 29))
    assert summer.utcoffset().total_seconds() == 3600 and summer.hour == 17
    assert winter.utcoffset().total_seconds() == 0 and winter.hour == 17
    assert deadline_on(date(2027, 1, 29), time(12, 0)).hour == 12


def test_working_days_skip_weekends_and_holidays():
    friday = date(2026, 12, 18)
    assert add_working_days(friday, 1) == date(2026, 12, 21)
    holidays = frozenset({date(2026, 12, 25), date(2026, 12, 28)})
    assert add_working_days(date(2026, 12, 22), 8, holidays) == date(2027, 1, 5)
