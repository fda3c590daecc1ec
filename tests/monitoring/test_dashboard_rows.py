"""The returns dashboard reads only the columns its rows show (`CONTRACT_ROW_FIELDS`, `RETURN_ROW_FIELDS`):
a return not started, a draft, one sent on time, one sent late and one sent back, on contracts with and
without a lot, are all shown in every order without reading a column left out, so each order costs the same
queries with one of each as with three."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.models import QuarterlyReturn
from monitoring.selectors import DASHBOARD_COLUMNS
from tests.factories.monitoring import FIRST_QUARTER, make_monitored_contract, make_return

pytestmark = pytest.mark.django_db
Status = QuarterlyReturn.Status


def one_of_each(officer, lot) -> None:
    make_monitored_contract(officer=officer, lot=lot)  # not started
    make_return(make_monitored_contract(officer=officer, lot=lot), FIRST_QUARTER)  # draft
    make_return(make_monitored_contract(officer=officer, lot=None), FIRST_QUARTER, status=Status.SUBMITTED)
    late = FIRST_QUARTER.return_due + timedelta(days=9)
    make_return(
        make_monitored_contract(officer=officer, lot=lot), FIRST_QUARTER, status=Status.SUBMITTED, submitted_on=late
    )
    make_return(make_monitored_contract(officer=officer, lot=lot), FIRST_QUARTER, status=Status.RETURNED)


def row_cells(html: str) -> list[str]:
    """The cells after the first of each row of returns (the rows naming a contract under the provider)."""
    rows = re.findall(
        r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell">[^<]*<br>'
        r'<span class="govuk-body-s">[^<]*</span></td>(.*?)</tr>',
        html,
        re.S,
    )
    assert rows
    return rows


@pytest.mark.parametrize("sort", ["", *[f"&sort={c.key}" for c in DASHBOARD_COLUMNS]])
def test_every_kind_of_row_is_shown_from_the_columns_read(client, sort):
    first = make_monitored_contract()
    officer, lot = first.officer, first.contract.lot
    client.force_login(officer)
    url = reverse("monitoring:dashboard") + f"?quarter={FIRST_QUARTER.financial_year}-q{FIRST_QUARTER.number}{sort}"
    one_of_each(officer, lot)
    with CaptureQueriesContext(connection) as once:
        html = client.get(url).content.decode()
    rows = row_cells(html)
    tags = {tag for cells in rows for tag in re.findall(r'<strong class="govuk-tag[^"]*">([^<]+)</strong>', cells)}
    assert {"Not started", "Draft", "Submitted", "Returned for amendment", "On time", "Late"} <= tags
    lots = [re.findall(r'<td class="govuk-table__cell">([^<]*)</td>', cells)[0] for cells in rows]
    assert "None" in lots and f"{lot.framework.reference} lot {lot.number}" in lots

    one_of_each(officer, lot)
    one_of_each(officer, lot)
    with CaptureQueriesContext(connection) as thrice:
        assert client.get(url).status_code == 200
    assert len(thrice.captured_queries) == len(once.captured_queries)
