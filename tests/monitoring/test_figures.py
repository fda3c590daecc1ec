"""Every check on a return's figures, with its message, and RAG in both directions at the margin."""

from datetime import date
from decimal import Decimal

import pytest

from monitoring import figures as checks
from monitoring.models import ContractIndicator, Direction, Rag, rag_for
from tests.factories.monitoring import make_monitored_contract, valid_raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def m():
    return make_monitored_contract()


def check(m, raw, complete=True):
    return checks.check_figures(m.indicators, raw, areas=m.areas, complete=complete)


def messages(errors):
    return {e.key: e.message for e in errors}


def test_complete_valid_figures_pass_and_are_parsed(m):
    found, errors = check(m, valid_raw(m))
    assert errors == []
    ref = found[m.indicator("REF").pk]
    assert ref.value == Decimal("224")
    assert ref.breakdowns["referral_source"]["police"] == 204
    assert sum(ref.breakdowns["referral_source"].values()) == 224
    contact = found[m.indicator("CONTACT48").pk]
    assert (contact.numerator, contact.denominator, contact.value) == (76, 80, Decimal("95.0"))
    assert found[m.indicator("WAIT").pk].value == Decimal("8.50")
    assert found[m.indicator("SPEND").pk].value == Decimal("33750.00")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("lots", "Referrals received must be a number"),
        ("12.5", "Referrals received must be a whole number"),
        ("-1", "Referrals received must be 0 or more"),
        ("10000000", "Referrals received must be less than 10,000,000"),
    ],
)
def test_counts_are_whole_numbers_of_0_or_more(m, typed, message):
    key = checks.value_key(m.indicator("REF"))
    _found, errors = check(m, valid_raw(m, **{key: typed}), complete=False)
    assert messages(errors)[key] == message


def test_counts_accept_thousands_separators_and_whole_decimals(m):
    ref = m.indicator("REF")
    found, errors = check(m, {checks.value_key(ref): "1,224.0"}, complete=False)
    assert errors == [] and found[ref.pk].value == Decimal("1224")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("101", "Service users satisfied overall must be between 0 and 100"),
        ("-0.5", "Service users satisfied overall must be 0 or more"),
        ("high", "Service users satisfied overall must be a number"),
        ("88.123", "Service users satisfied overall must have no more than 2 decimal places"),
    ],
)
def test_percentages_are_0_to_100(m, typed, message):
    key = checks.value_key(m.indicator("SATISFIED"))
    _found, errors = check(m, valid_raw(m, **{key: typed}))
    assert messages(errors)[key] == message


def test_a_percentage_of_100_and_a_percent_sign_are_accepted(m):
    satisfied = m.indicator("SATISFIED")
    found, errors = check(m, valid_raw(m, **{checks.value_key(satisfied): "100%"}))
    assert errors == [] and found[satisfied.pk].value == Decimal("100.00")


def test_a_numerator_over_its_denominator_is_refused(m):
    contact = m.indicator("CONTACT48")
    raw = valid_raw(m, **{checks.numerator_key(contact): "81", checks.denominator_key(contact): "80"})
    _found, errors = check(m, raw, complete=False)
    assert messages(errors)[checks.numerator_key(contact)] == (
        "Enhanced referrals contacted within 48 hours (81) cannot be more than enhanced referrals received (80)"
    )


def test_numerator_and_denominator_are_whole_numbers(m):
    contact = m.indicator("CONTACT48")
    raw = valid_raw(m, **{checks.numerator_key(contact): "7.5", checks.denominator_key(contact): "-3"})
    _found, errors = check(m, raw)
    found = messages(errors)
    assert found[checks.numerator_key(contact)] == "Enhanced referrals contacted within 48 hours must be a whole number"
    assert found[checks.denominator_key(contact)] == "Enhanced referrals received must be 0 or more"


def test_zero_of_zero_is_not_applicable_rather_than_an_error(m):
    contact = m.indicator("CONTACT48")
    raw = valid_raw(m, **{checks.numerator_key(contact): "0", checks.denominator_key(contact): "0"})
    found, errors = check(m, raw)
    assert errors == [] and found[contact.pk].value is None


def test_days_and_pounds_are_0_or_more(m):
    wait, spend = m.indicator("WAIT"), m.indicator("SPEND")
    raw = valid_raw(m, **{checks.value_key(wait): "-2", checks.value_key(spend): "£1,000.505"})
    _found, errors = check(m, raw)
    found = messages(errors)
    assert found[checks.value_key(wait)] == "Average days to first support must be 0 or more"
    assert found[checks.value_key(spend)] == "Spending this quarter must have no more than 2 decimal places"


def test_a_breakdown_that_falls_short_names_itself_and_the_difference(m):
    ref = m.indicator("REF")
    raw = valid_raw(m, **{checks.category_key(ref, "referral_source", "police"): "199"})
    _found, errors = check(m, raw)
    assert messages(errors)[checks.breakdown_key(ref, "referral_source")] == (
        "Referral source adds up to 219, 5 fewer than the 224 referrals"
    )


def test_a_breakdown_that_goes_over_says_more(m):
    ref = m.indicator("REF")
    raw = valid_raw(m, **{checks.category_key(ref, "referral_source", "self"): "1,015"})
    _found, errors = check(m, raw)
    assert messages(errors)[checks.breakdown_key(ref, "referral_source")] == (
        "Referral source adds up to 1,224, 1,000 more than the 224 referrals"
    )


def test_breakdown_categories_are_whole_numbers_and_named(m):
    ref = m.indicator("REF")
    key = checks.category_key(ref, "referral_source", "marac")
    _found, errors = check(m, valid_raw(m, **{key: "two"}))
    assert messages(errors)[key] == "MARAC in the referral source breakdown must be a number"


def test_a_missing_breakdown_is_needed_to_submit_but_not_for_a_draft(m):
    ref = m.indicator("REF")
    raw = {k: v for k, v in valid_raw(m).items() if not k.startswith(f"b{ref.pk}_")}
    assert check(m, raw, complete=False)[1] == []
    assert messages(check(m, raw)[1])[checks.breakdown_key(ref, "referral_source")] == (
        "Enter the referral source breakdown of the 224 referrals"
    )


def test_blank_categories_in_an_entered_breakdown_count_as_none(m):
    ref = m.indicator("REF")
    raw = {checks.value_key(ref): "10", checks.category_key(ref, "referral_source", "police"): "10"}
    found, errors = check(m, raw, complete=False)
    assert errors == []
    assert found[ref.pk].breakdowns["referral_source"]["not_known"] == 0


def test_drafts_may_be_partial_but_submission_needs_every_figure(m):
    assert check(m, {}, complete=False)[1] == []
    found = messages(check(m, {})[1])
    assert found[checks.value_key(m.indicator("REF"))] == "Enter a figure for referrals received"
    assert found[checks.numerator_key(m.indicator("CONTACT48"))] == (
        "Enter the number of enhanced referrals contacted within 48 hours"
    )
    assert found[checks.denominator_key(m.indicator("CONTACT48"))] == "Enter the number of enhanced referrals received"
    assert found[checks.value_key(m.indicator("SPEND"))] == "Enter a figure for spending this quarter"


def test_the_area_breakdown_uses_the_contracts_own_areas_and_not_known(db):
    from tests.factories import make_area

    m = make_monitored_contract(
        areas=[make_area(name="Coventry", code="coventry"), make_area(name="Solihull", code="solihull")]
    )
    assert [code for code, _ in checks.categories("area", m.areas)] == ["coventry", "solihull", "not_known"]


# RAG -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("224", Rag.GREEN),
        ("300", Rag.GREEN),
        ("223", Rag.AMBER),
        ("204", Rag.AMBER),
        ("203.99", Rag.RED),
        ("0", Rag.RED),
    ],
)
def test_rag_where_higher_is_better_with_the_margin_boundary(value, expected):
    assert rag_for(Decimal(value), Decimal("224"), Decimal("20"), Direction.HIGHER) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("10", Rag.GREEN), ("2", Rag.GREEN), ("10.01", Rag.AMBER), ("13", Rag.AMBER), ("13.01", Rag.RED)],
)
def test_rag_where_lower_is_better_with_the_margin_boundary(value, expected):
    assert rag_for(Decimal(value), Decimal("10"), Decimal("3"), Direction.LOWER) == expected


def test_rag_without_a_target_or_a_value_is_none():
    assert rag_for(None, Decimal("5"), Decimal("1"), Direction.HIGHER) == Rag.NONE
    assert rag_for(Decimal("5"), None, Decimal("1"), Direction.HIGHER) == Rag.NONE


def test_a_zero_margin_makes_anything_short_red():
    assert rag_for(Decimal("94.9"), Decimal("95"), Decimal("0"), Direction.HIGHER) == Rag.RED


def test_social_value_targets_are_pro_rata_to_their_due_date(db):
    m = make_monitored_contract()  # starts on 1 April 2025
    indicator = ContractIndicator(contract=m.contract, target=Decimal("1200"), target_due_on=date(2027, 3, 31))
    assert indicator.expected_by(date(2024, 1, 1)) == Decimal("0")
    assert indicator.expected_by(date(2026, 3, 31)) == Decimal("600.00")  # half the days
    assert indicator.expected_by(date(2030, 1, 1)) == Decimal("1200")
