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


# The register's row as its template wrote it cell by cell, before `register_row` wrote it in one go.
TEMPLATE_ROW = """{% load contracts_tags portal %}<tr class="govuk-table__row">
      <td class="govuk-table__cell"><a class="govuk-link" href="{% row_url 'contracts:officer_contract' contract.pk %}">{{ contract.title }}</a><br><span class="govuk-body-s">{{ contract.reference }} · {{ contract.get_kind_display }}{% if contract.lot %} · {{ contract.lot.framework.reference }} lot {{ contract.lot.number }}{% endif %}{% if contract.area_names %} · {{ contract.area_names|join:", " }}{% endif %}</span></td>
      <td class="govuk-table__cell">{{ contract.supplier.legal_name }}</td>
      <td class="govuk-table__cell">{{ contract.buying_authority.name }}</td>
      <td class="govuk-table__cell">{{ contract.start_on|long_date }} to {{ contract.effective_end_on|long_date }}<br><span class="govuk-body-s">{{ contract.term_description }}</span></td>
      <td class="govuk-table__cell govuk-table__cell--numeric">{{ contract.year_value|money }}</td>
      <td class="govuk-table__cell govuk-table__cell--numeric">{{ contract.total_value|money }}</td>
      <td class="govuk-table__cell">{% status_tag contract today %}</td>
    </tr>"""  # noqa: E501


def test_each_row_is_written_as_the_template_wrote_it(officer):
    """`register_row` gives the markup the template gave, escaped the same way, for every kind of row: a
    draft, options, no lot, a termination, areas, and a title and a provider that need escaping."""
    from django.template import Context, Template
    from django.utils import timezone

    from commissioning.pagination import with_area_names
    from contracts.templatetags.contracts_tags import register_row
    from suppliers.models import Supplier
    from tests.factories import make_area, make_supplier

    lot = make_lot(make_framework(lead_authority=officer.authority))
    one_of_each(officer, lot)
    escaped = make_live_contract(
        by=officer,
        lot=lot,
        title="Refuge <b>& outreach</b>",
        supplier=make_supplier(legal_name="Smith & Jones <Advocacy>"),
        annual_value="125000.50",
    )
    escaped.areas.set([make_area(name="Dudley & Sandwell"), make_area(name="Coventry")])
    assert Supplier.objects.filter(legal_name__contains="&").exists()
    today = timezone.localdate()
    contracts = with_area_names(list(selectors.register(selectors.RegisterFilters(), today=today, user=officer)))
    assert len(contracts) == 5

    def squeezed(html: str) -> str:
        return re.sub(r">\s+<", "><", html.strip())

    reference = Template(TEMPLATE_ROW)
    for contract in contracts:
        expected = reference.render(Context({"contract": contract, "today": today}))
        assert squeezed(register_row(contract, today)) == squeezed(expected), contract.title
    assert any("Refuge &lt;b&gt;&amp; outreach&lt;/b&gt;" in register_row(c, today) for c in contracts)


def test_a_rows_value_for_the_year_is_read_without_joins(client, officer):
    """The year's value of each row is its year value row's, found by its key alone: the year values' default
    order (contract, year) joined the contract again inside each row's subquery."""
    make_live_contract(by=officer, annual_value="50000")
    client.force_login(officer)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("contracts:officer_register")).status_code == 200
    rows = [q["sql"] for q in queries.captured_queries if 'AS "year_value"' in q["sql"]]
    assert rows
    for sql in rows:
        year_value = sql.split('AS "year_value"')[0].rsplit("(SELECT", 1)[1]
        assert "JOIN" not in year_value


def test_the_rows_options_are_read_without_joining_the_contracts(client, officer):
    """The options prefetched for the page's rows are read by the contracts' keys, in order of sequence: the
    options' default order by contract (its reference) joined every contract again."""
    make_live_contract(by=officer, extension_months=[12, 6])
    client.force_login(officer)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("contracts:officer_register")).content.decode()
    options = [q["sql"] for q in queries.captured_queries if 'FROM "contracts_extensionoption"' in q["sql"]]
    assert len(options) == 1
    assert 'JOIN "contracts_contract"' not in options[0]
    assert "3 years + 1 year + 6 months" in html
