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


# The dashboard's row as its template wrote it cell by cell, before `dashboard_row` wrote it in one go.
TEMPLATE_ROW = """{% load portal %}<tr class="govuk-table__row">
      <td class="govuk-table__cell">{{ slot.contract.supplier.legal_name }}<br><span class="govuk-body-s">{{ slot.contract.reference }}: {{ slot.contract.title }}</span></td>
      <td class="govuk-table__cell">{% if slot.contract.lot %}{{ slot.contract.lot.framework.reference }} lot {{ slot.contract.lot.number }}{% else %}None{% endif %}</td>
      <td class="govuk-table__cell">{{ slot.due_on|date:"j M Y" }}</td>
      <td class="govuk-table__cell"><strong class="govuk-tag {{ slot.status_tag }}">{{ slot.status_label }}</strong></td>
      <td class="govuk-table__cell"><strong class="govuk-tag {{ slot.timeliness_tag }}">{{ slot.timeliness_label }}</strong></td>
      <td class="govuk-table__cell">{% if slot.quarterly_return %}<a class="govuk-link" href="{% row_url 'monitoring:review' slot.quarterly_return.pk %}">{% if slot.quarterly_return.is_awaiting_review %}Review{% else %}View{% endif %}<span class="govuk-visually-hidden"> the return from {{ slot.contract.supplier.legal_name }} for {{ slot.contract.reference }}</span></a>{% else %}<a class="govuk-link" href="{% row_url 'monitoring:targets' slot.contract.pk %}">Targets<span class="govuk-visually-hidden"> of {{ slot.contract.reference }}</span></a>{% endif %}</td>
    </tr>"""  # noqa: E501


def test_each_row_is_written_as_the_template_wrote_it():
    """`dashboard_row` gives the markup the template gave, escaped the same way, for a return not started, a
    draft, one sent on time, one sent late and one sent back, with and without a lot, and a provider and a
    title that need escaping."""
    from django.template import Context, Template
    from django.utils import timezone

    from monitoring.selectors.dashboard import DashboardFilters, dashboard
    from monitoring.templatetags.returns_tags import dashboard_row
    from suppliers.models import Supplier

    first = make_monitored_contract(title="Refuge <b>& outreach</b>")
    Supplier.objects.filter(pk=first.contract.supplier_id).update(legal_name="Smith & Jones <Advocacy>")
    one_of_each(first.officer, first.contract.lot)
    board = dashboard(DashboardFilters(quarter=FIRST_QUARTER), today=timezone.localdate(), user=first.officer)
    slots = list(board.slots)
    assert len(slots) == 6 and {slot.quarterly_return is None for slot in slots} == {True, False}

    def squeezed(html: str) -> str:
        return re.sub(r">\s+<", "><", html.strip())

    reference = Template(TEMPLATE_ROW)
    for slot in slots:
        expected = reference.render(Context({"slot": slot}))
        assert squeezed(dashboard_row(slot)) == squeezed(expected), slot.contract.reference
    assert any("Smith &amp; Jones &lt;Advocacy&gt;" in dashboard_row(slot) for slot in slots)


def test_sorting_by_status_reads_each_rows_return_without_joins(client):
    """The status each row is sorted by is its return's, found by the return's key alone: the returns' default
    order (period, then contract reference) joined the period and the contract again for every row."""
    first = make_monitored_contract()
    one_of_each(first.officer, first.contract.lot)
    client.force_login(first.officer)
    url = reverse("monitoring:dashboard") + f"?quarter={FIRST_QUARTER.financial_year}-q{FIRST_QUARTER.number}"
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url + "&sort=status").status_code == 200
    rows = [q["sql"] for q in queries.captured_queries if 'AS "return_status"' in q["sql"]]
    assert len(rows) == 1
    status = rows[0].split('AS "return_status"')[0].rsplit("COALESCE((SELECT", 1)[1]
    assert "JOIN" not in status
