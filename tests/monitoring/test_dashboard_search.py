"""Issue 18: the returns dashboard has a search box (reference, provider, service) and sortable columns,
and keeps them in the URL with the filters; its query count does not grow with the rows."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.models import User
from monitoring.models import QuarterlyReturn
from tests.factories import make_supplier, make_user
from tests.factories.monitoring import FIRST_QUARTER, make_monitored_contract, make_return

pytestmark = pytest.mark.django_db

URL = reverse("monitoring:dashboard")
QUARTER = {"quarter": "2025-q1"}


def providers(html: str) -> list[str]:
    body = html[html.index("Returns for 2025/26 Q1") :]
    return re.findall(r'<td class="govuk-table__cell">([^<]+)<br><span class="govuk-body-s">', body)


@pytest.fixture
def board(db):
    officer = make_user(User.Role.OFFICER)
    made = {}
    for name in ("Brindley Domestic Abuse Support", "Arden Sexual Violence Advocacy CIC", "Coventry Haven Refuge"):
        provider = make_user(User.Role.PROVIDER, supplier=make_supplier(legal_name=name))
        made[name] = make_monitored_contract(officer=officer, provider=provider, title=f"Service by {name}")
    make_return(made["Coventry Haven Refuge"], FIRST_QUARTER, status=QuarterlyReturn.Status.SUBMITTED)
    return officer, made


def test_the_dashboard_searches_by_provider_reference_and_service(client, board):
    officer, made = board
    client.force_login(officer)
    assert providers(client.get(URL, {**QUARTER, "q": "arden"}).content.decode()) == [
        "Arden Sexual Violence Advocacy CIC"
    ]
    reference = made["Brindley Domestic Abuse Support"].contract.reference
    assert providers(client.get(URL, {**QUARTER, "q": reference}).content.decode()) == [
        "Brindley Domestic Abuse Support"
    ]
    html = client.get(URL, {**QUARTER, "q": "nothing like it"}).content.decode()
    assert "matching ‘nothing like it’" in html and 'value="nothing like it"' in html


def test_the_dashboard_sorts_by_provider_and_by_status(client, board):
    officer, _ = board
    client.force_login(officer)
    html = client.get(URL, {**QUARTER, "sort": "provider", "order": "desc"}).content.decode()
    assert providers(html) == [
        "Coventry Haven Refuge",
        "Brindley Domestic Abuse Support",
        "Arden Sexual Violence Advocacy CIC",
    ]
    assert 'aria-sort="descending"' in html
    by_status = providers(client.get(URL, {**QUARTER, "sort": "status", "order": "desc"}).content.decode())
    assert by_status[0] == "Coventry Haven Refuge"  # the only one submitted
    header = re.search(r'href="(\?[^"]*sort=lot[^"]*)"', html).group(1)
    assert "quarter=2025-q1" in header


def test_searching_costs_no_more_queries_with_more_rows(client, board):
    officer, _ = board
    client.force_login(officer)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(URL, {**QUARTER, "q": "service", "sort": "status"})
        return len(captured.captured_queries)

    few = count()
    for _ in range(3):
        make_monitored_contract(officer=officer)
    assert count() == few


def test_providers_are_refused(client, board):
    _, made = board
    client.force_login(made["Coventry Haven Refuge"].provider)
    assert client.get(URL, {"q": "arden"}).status_code == 403
