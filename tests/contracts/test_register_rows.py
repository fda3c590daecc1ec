"""The contract register reads only the columns its rows show and are ordered by (`REGISTER_ROW_FIELDS`):
drafts, live contracts with options, terminated ones and ones without a lot are all shown, in every order
the register offers, without reading a column it left out, so each order costs the same queries with one
contract of each kind as with three."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts import selectors
from contracts.services import terminate_contract
from frameworks.models import Lot
from tests.factories import make_user
from tests.factories.contracts import make_contract, make_live_contract
from tests.factories.frameworks import make_framework, make_lot

pytestmark = pytest.mark.django_db


def one_of_each(officer, lot: Lot) -> None:
    make_contract(by=officer, lot=lot, title="Draft refuge service")
    make_live_contract(by=officer, lot=lot, extension_months=[12, 12], title="Live advocacy service")
    ended = make_live_contract(by=officer, title="Helpline without a lot", start_on=date(2022, 4, 1))
    live = make_live_contract(by=officer, lot=lot, title="Terminated outreach service")
    terminate_contract(by=officer, contract=live, terminated_on=date(2026, 3, 31), reason="Service moved")
    assert ended.lot_id is None


@pytest.mark.parametrize("sort", ["", *[f"?sort={c.key}" for c in selectors.REGISTER_COLUMNS]])
def test_every_kind_of_row_is_shown_from_the_columns_read(client, sort):
    officer = make_user("officer")
    lot = make_lot(make_framework(lead_authority=officer.authority))
    client.force_login(officer)
    url = reverse("contracts:officer_register") + sort
    one_of_each(officer, lot)
    with CaptureQueriesContext(connection) as once:
        html = client.get(url).content.decode()
    for title in ("Draft refuge service", "Live advocacy service", "Helpline without a lot", "Terminated outreach"):
        assert title in html
    rows = re.findall(
        r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell">'
        r'<a class="govuk-link" href="/officer/contracts/(.*?)</tr>',
        html,
        re.S,
    )
    assert len(rows) == 4
    assert any("3 years + 1 year + 1 year" in row for row in rows)
    assert sum(f" · {lot.framework.reference} lot {lot.number}" in row for row in rows) == 3

    one_of_each(officer, lot)
    one_of_each(officer, lot)
    with CaptureQueriesContext(connection) as thrice:
        assert client.get(url).status_code == 200
    assert len(thrice.captured_queries) == len(once.captured_queries)
