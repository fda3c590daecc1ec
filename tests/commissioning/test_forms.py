"""The shared form helpers: dates typed in three boxes, and numbers read from a query string."""

from datetime import date

import pytest
from django import forms

from commissioning.forms import RealDateField, not_in_list_message, number_from_query, whole_numbers


class StartForm(forms.Form):
    starts_on = RealDateField(label="Start date", require_all_fields=False)


def start(day: str, month: str, year: str) -> StartForm:
    return StartForm({"starts_on_0": day, "starts_on_1": month, "starts_on_2": year})


def test_a_real_date_is_read():
    form = start("29", "2", "2028")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["starts_on"] == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [("29", "2", "2027"), ("1", "13", "2027"), ("1", "1", "99999999999999999999"), ("9" * 20, "1", "2027")],
)
def test_an_impossible_date_gets_one_plain_message(day, month, year):
    form = start(day, month, year)
    assert not form.is_valid()
    assert form.errors["starts_on"] == ["Start date must be a real date"]


@pytest.mark.parametrize(("year", "valid"), [("1899", False), ("1900", True), ("2200", True), ("9999", False)])
def test_a_date_must_fall_where_date_arithmetic_stays_in_the_calendar(year, valid):
    form = start("31", "12", year)
    assert form.is_valid() is valid
    if not valid:
        assert form.errors["starts_on"] == ["Start date must be between 1900 and 2200"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("42", 42), ("", None), (None, None), ("-1", None), ("4.2", None), ("1e3", None), ("9" * 10, None), ("²", None)],
)
def test_numbers_from_a_query_string(value, expected):
    assert number_from_query(value) == expected


def test_a_year_from_a_query_string_has_at_most_four_digits():
    assert number_from_query("2026", digits=4) == 2026
    assert number_from_query("20260", digits=4) is None


def test_the_message_for_a_value_not_in_the_list_reads_well():
    assert not_in_list_message("Lot") == "Select a lot from the list"
    assert not_in_list_message("Area") == "Select an area from the list"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12,12", [12, 12]), (" 12, 6 ", [12, 6]), ("", []), (None, []), ("12,²", None), ("0", None), ("121", None)],
)
def test_whole_numbers_separated_by_commas(text, expected):
    assert whole_numbers(text, most=120) == expected
