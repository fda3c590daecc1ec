"""Aggregates across providers: counts summed, percentages worked out again from the summed numerators and
denominators (never averaged), days not combined; per area, per quarter and half-year; the XLSX export."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from commissioning.dates import Quarter
from monitoring import figures as checks
from monitoring import selectors
from monitoring.models import QuarterlyReturn, Unit
from monitoring.selectors import Combined, ValueRow, attribute_to_area
from tests.factories import make_area
from tests.factories.monitoring import make_monitored_contract, make_return, make_template, valid_raw

pytestmark = pytest.mark.django_db
Status = QuarterlyReturn.Status


def test_percentages_are_recomputed_from_summed_counts_not_averaged():
    combined = Combined(Unit.PERCENTAGE, is_fraction=True)
    combined.add(Decimal("90"), 90, 100)
    combined.add(Decimal("10"), 1, 10)
    # The average of 90% and 10% would be 50%; 91 of 110 is 82.7%.
    assert combined.value == Decimal("82.7")
    assert (combined.numerator, combined.denominator, combined.returns) == (91, 110, 2)


def test_counts_and_pounds_are_summed_and_days_shown_as_a_range():
    counts = Combined(Unit.COUNT, is_fraction=False)
    for value in (224, 210, 5):
        counts.add(Decimal(value))
    assert counts.value == Decimal("439")
    days = Combined(Unit.DAYS, is_fraction=False)
    days.add(Decimal("4.5"))
    days.add(Decimal("12"))
    assert days.value is None

    class Days:
        def format_value(self, value):
            return f"{value} days"

    assert days.text(Days()) == "4.5 days to 12 days (range, not combined)"


def test_an_area_gets_a_single_area_contract_in_full_and_a_share_of_a_multi_area_one_by_its_breakdown():
    row = ValueRow("REF", Unit.COUNT, False, 1, 1, Decimal("100"), None, None, {"area": {"cov": 60, "sol": 40}})
    assert attribute_to_area(row, None, ["cov", "sol"]) == (True, (Decimal("100"), None, None))
    assert attribute_to_area(row, "sol", ["cov", "sol"]) == (True, (Decimal("40"), None, None))
    assert attribute_to_area(row, "cov", ["cov"]) == (True, (Decimal("100"), None, None))
    assert attribute_to_area(row, "bhm", ["cov"]) == (True, (None, None, None))
    no_split = ValueRow("REF", Unit.COUNT, False, 1, 1, Decimal("100"), None, None, {})
    assert attribute_to_area(no_split, "sol", ["cov", "sol"]) == (False, (None, None, None))


@pytest.fixture
def two_providers():
    """Two providers on one lot, each with an accepted Q1 and Q2 return; a third provider's return is only
    submitted, so it is left out."""
    coventry, solihull = make_area(name="Coventry", code="coventry"), make_area(name="Solihull", code="solihull")
    first = make_monitored_contract(areas=[coventry])
    second = make_monitored_contract(lot=first.lot, areas=[solihull], officer=first.officer)
    third = make_monitored_contract(lot=first.lot, areas=[coventry], officer=first.officer)
    for m, referrals, (num, den) in [(first, 224, (90, 100)), (second, 100, (1, 10))]:
        contact = m.indicator("CONTACT48")
        for quarter in (Quarter(2025, 1), Quarter(2025, 2)):
            raw = valid_raw(
                m, referrals=referrals, **{checks.numerator_key(contact): num, checks.denominator_key(contact): den}
            )
            make_return(m, quarter, status=Status.ACCEPTED, raw=raw)
    make_return(third, Quarter(2025, 1), status=Status.SUBMITTED, raw=valid_raw(third, referrals=5000))
    return first, second, third, coventry, solihull


def test_the_lot_aggregate_by_quarter_and_half_year(two_providers):
    first, *_rest = two_providers
    result = selectors.aggregate(lot=first.lot, financial_year=2025, user=first.officer)
    rows = {row.indicator.code: row for row in result.rows}
    assert rows["REF"].cells["q1"].value == Decimal("324")  # 224 + 100; the submitted 5000 is left out
    assert rows["REF"].cells["h1"].value == Decimal("648")
    assert rows["REF"].cells["q3"].value is None
    assert rows["CONTACT48"].cells["q1"].value == Decimal("82.7")  # 91 of 110, not the 50% average
    assert rows["CONTACT48"].cells["h1"].text(rows["CONTACT48"].indicator) == "82.7% (182 of 220)"
    assert rows["WAIT"].cells["q1"].value is None and rows["WAIT"].text("q1") == "8.5 days"
    assert result.accepted == {1: 2, 2: 2} and result.due[1] == 3


def test_the_aggregate_for_one_area(two_providers):
    first, _second, _third, _coventry, solihull = two_providers
    result = selectors.aggregate(lot=first.lot, financial_year=2025, area=solihull, user=first.officer)
    rows = {row.indicator.code: row for row in result.rows}
    assert rows["REF"].cells["q1"].value == Decimal("100")
    assert rows["CONTACT48"].cells["q1"].value == Decimal("10.0")


def test_the_half_year_export_for_grant_returns(client, two_providers):
    first, *_rest = two_providers
    client.force_login(first.officer)
    response = client.get(reverse("monitoring:aggregates_export"), {"lot": first.lot.pk, "year": 2025})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["All areas", "Coventry", "Solihull"]
    sheet = book["All areas"]
    headings = [cell.value for cell in sheet[3]]
    assert headings[:6] == ["Code", "Indicator", "Unit", "Q1 Apr–Jun", "Q2 Jul–Sep", "Apr–Sep"]
    rows = {row[0].value: [c.value for c in row] for row in sheet.iter_rows(min_row=4) if row[0].value}
    assert rows["REF"][3:6] == [324, 324, 648]
    assert rows["CONTACT48"][5] == 82.7
    numerators = [[c.value for c in row] for row in sheet.iter_rows(min_row=4) if "numerator" in str(row[1].value)]
    assert numerators[0][3:6] == [91, 91, 182]
    assert [c.value for c in book["Solihull"][4]][3] == 100  # the REF row for Solihull


def test_the_aggregates_page(client, two_providers):
    first, *_rest = two_providers
    client.force_login(first.officer)
    html = client.get(reverse("monitoring:aggregates"), {"lot": first.lot.pk, "year": 2025}).content.decode()
    assert "82.7% (91 of 110)" in html and "648" in html
    assert "never averaged" in html


def test_contracts_without_a_lot_aggregate_under_the_default_template():
    make_template(is_default=True, name="Default")
    m = make_monitored_contract(lot=None)
    make_return(m, Quarter(2025, 1), status=Status.ACCEPTED)
    result = selectors.aggregate(lot=None, financial_year=2025, user=m.officer)
    assert {row.indicator.code: row.cells["q1"].value for row in result.rows}["REF"] == Decimal("224")
