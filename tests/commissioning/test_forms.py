"""The shared form helpers: dates typed in three boxes, numbers read from a query string, and service
errors put on a form."""

from datetime import date

import pytest
from django import forms

from commissioning.forms import (
    RealDateField,
    add_service_errors,
    not_in_list_message,
    number_from_query,
    whole_numbers,
)
from contracts.funding.forms import ContributionForm
from monitoring.forms import ContractReportForm, LotSummaryForm


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


# A service's refusal on the form that asked for the move --------------------------------------------


class _MoveForm(forms.Form):
    reason = forms.CharField(required=False)
    decided_on = forms.DateField(required=False)


def _refused(error):
    form = _MoveForm({"reason": "typed", "decided_on": ""})
    assert form.is_valid()
    add_service_errors(form, error)
    return form


def test_service_errors_go_next_to_the_field_they_name_and_the_rest_to_the_top():
    from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

    form = _refused(
        ValidationError({"reason": ["Enter the reason"], NON_FIELD_ERRORS: ["Too late"], "elsewhere": ["Not here"]})
    )
    assert form.errors["reason"] == ["Enter the reason"]
    assert form.non_field_errors() == ["Too late", "Not here"]
    assert form.data["reason"] == "typed"  # nothing typed is lost


def test_a_plain_service_error_goes_to_the_top_or_to_the_field_the_view_names():
    from django.core.exceptions import ValidationError

    from contracts.services import ContractRuleError
    from monitoring.services import ReturnRuleError

    assert _refused(ValidationError(["One", "Two"])).non_field_errors() == ["One", "Two"]
    assert _refused(ContractRuleError("Enter a date", field="decided_on")).errors["decided_on"] == ["Enter a date"]
    assert _refused(ReturnRuleError("Refused")).non_field_errors() == ["Refused"]
    form = _MoveForm({"reason": "typed"})
    form.is_valid()
    add_service_errors(form, ValidationError({"decided_on": ["Wrong"]}), field="reason")
    assert form.errors["reason"] == ["Wrong"] and "decided_on" not in form.errors


def test_a_select_whose_options_come_with_the_form_has_its_prompt_and_its_not_in_the_list_error():
    report = ContractReportForm(data={"contract": "9", "period": "x"}, contracts=[("1", "C-1")], periods=[("p", "Q1")])
    assert report.fields["contract"].choices == [("", "Select a contract"), ("1", "C-1")]
    assert report.fields["period"].choices == [("", "Select a period"), ("p", "Q1")]
    assert report.errors["contract"] == ["Select a contract from the list"]
    assert report.errors["period"] == ["Select a period from the list"]
    summary = LotSummaryForm(data={"lot": "9", "quarter": "x"}, lots=[("1", "Lot 1")], quarters=[("q", "Q1")])
    assert summary.fields["lot"].choices == [("", "Select a lot"), ("1", "Lot 1")]
    assert summary.fields["quarter"].choices == [("", "Select a quarter"), ("q", "Q1")]
    assert summary.errors["lot"] == ["Select a lot from the list"]
    assert summary.errors["quarter"] == ["Select a quarter from the list"]
    contribution = ContributionForm(data={"authority": "9"}, authorities=[(1, "Partner council")], years=[2025])
    assert contribution.fields["authority"].choices == [("", "Select an authority"), (1, "Partner council")]
    assert contribution.errors["authority"] == ["Select an authority from the list"]
