from datetime import date, time

import pytest

from commissioning.dates import (
    Quarter,
    add_working_days,
    bank_holiday_name,
    bank_holidays,
    deadline_on,
    easter_sunday,
    financial_year_of,
    is_working_day,
    standstill_last_day,
)


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


# England and Wales bank holidays as published on GOV.UK for these years.
PUBLISHED = {
    2022: ["01-03", "04-15", "04-18", "05-02", "06-02", "06-03", "08-29", "09-19", "12-26", "12-27"],
    2025: ["01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26"],
    2026: ["01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"],
    2027: ["01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"],
    2028: ["01-03", "04-14", "04-17", "05-01", "05-29", "08-28", "12-25", "12-26"],
}
# 2022's one-off days: the Platinum Jubilee (the spring holiday moved to 2 June, plus 3 June) and the
# State Funeral of Queen Elizabeth II. The rules give the usual last Monday of May instead.
ONE_OFFS_2022 = ["2022-06-02", "2022-06-03", "2022-09-19"]


# Bank holidays outside England and Wales, as published for Scotland and Northern Ireland.
SCOTLAND_ONLY = {
    2025: ["01-02", "08-04", "12-01"],
    2026: ["01-02", "08-03", "11-30"],
}
NORTHERN_IRELAND_ONLY = {
    2025: ["03-17", "07-14"],
    2026: ["03-17", "07-13"],
}


@pytest.mark.parametrize("year", [2025, 2026, 2027, 2028])
def test_every_england_and_wales_bank_holiday_closes_a_working_day(year):
    expected = {date.fromisoformat(f"{year}-{day}") for day in PUBLISHED[year]}
    assert expected <= bank_holidays(year)
    assert not any(is_working_day(day) for day in expected)


@pytest.mark.parametrize("year", [2025, 2026])
def test_scotland_and_northern_ireland_bank_holidays_close_a_working_day_too(year):
    scotland = {date.fromisoformat(f"{year}-{day}") for day in SCOTLAND_ONLY[year]}
    northern_ireland = {date.fromisoformat(f"{year}-{day}") for day in NORTHERN_IRELAND_ONLY[year]}
    assert scotland | northern_ireland <= bank_holidays(year)
    assert "Scotland" in bank_holiday_name(date(2025, 12, 1))
    assert "Northern Ireland" in bank_holiday_name(date(2026, 7, 13))
    assert bank_holiday_name(date(2026, 7, 14)) == ""


def test_one_off_bank_holidays_come_from_the_setting(settings):
    settings.EXTRA_BANK_HOLIDAYS = [date(2030, 6, 4)]
    assert date(2030, 6, 4) in bank_holidays(2030)
    assert not is_working_day(date(2030, 6, 4))
    assert "EXTRA_BANK_HOLIDAYS" in bank_holiday_name(date(2030, 6, 4))
    assert add_working_days(date(2030, 6, 3), 1) == date(2030, 6, 5)


def test_easter():
    assert [easter_sunday(y) for y in (2024, 2025, 2026, 2027)] == [
        date(2024, 3, 31),
        date(2025, 4, 20),
        date(2026, 4, 5),
        date(2027, 3, 28),
    ]


def test_the_standstill_skips_christmas_and_new_year_bank_holidays():
    # From Tuesday 22 December 2026: Christmas (Friday), Boxing Day's substitute (Monday 28), New
    # Year's Day (Friday) and Scotland's 2 January holiday, moved from Saturday to Monday 4 January, are
    # not working days, so eight working days end on 7 January 2027.
    assert add_working_days(date(2026, 12, 22), 8) == date(2027, 1, 7)
    # Over Easter 2027: Good Friday 26 March and Easter Monday 29 March are skipped.
    assert add_working_days(date(2027, 3, 24), 3) == date(2027, 3, 31)


def test_the_standstill_of_the_act_after_a_notice_on_saturday_29_november_2025():
    # Monday 1 December 2025 is St Andrew's Day's substitute in Scotland, so not a working day (s.123):
    # eight working days beginning with the publication day end on Thursday 11 December, not Wednesday 10.
    assert standstill_last_day(date(2025, 11, 29), 8) == date(2025, 12, 11)


def test_the_standstill_of_the_act_after_a_notice_on_saturday_11_july_2026():
    # Monday 13 July 2026 is the Battle of the Boyne holiday (observed) in Northern Ireland.
    assert standstill_last_day(date(2026, 7, 11), 8) == date(2026, 7, 23)


def test_a_notice_published_on_a_working_day_counts_that_day_as_the_first():
    # Published on Tuesday 2 December 2025: the 2nd is day 1, so day 8 is Thursday 11 December.
    assert standstill_last_day(date(2025, 12, 2), 8) == date(2025, 12, 11)
    assert standstill_last_day(date(2025, 12, 3), 1) == date(2025, 12, 3)


def test_the_standstill_length_is_the_setting(settings):
    settings.STANDSTILL_WORKING_DAYS = 10
    assert standstill_last_day(date(2026, 7, 11)) == date(2026, 7, 27)


def test_short_and_long_dates_read_as_the_date_filter_writes_them():
    """`short_date` and `long_date` stand in for `date:"j M Y"` and `date:"j F Y"` in long tables: every month."""
    from django.template.defaultfilters import date as date_filter

    from commissioning.dates import long_date, short_date

    for month in range(1, 13):
        day = date(2026, month, 9 if month % 2 else 30 if month != 2 else 28)
        assert short_date(day) == date_filter(day, "j M Y")
        assert long_date(day) == date_filter(day, "j F Y")
    assert short_date(date(2027, 9, 1)) == "1 Sep 2027"
