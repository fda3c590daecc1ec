"""Issue 18: the officer's applications list has a search box (applicant, window), sortable columns and
lists the applications still to decide before decided and withdrawn ones; the search and sort stay in the
URL."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.models import User
from tests.factories import make_supplier, make_user
from tests.factories.frameworks import make_application

pytestmark = pytest.mark.django_db


def names(html: str) -> list[str]:
    return re.findall(r'href="/officer/applications/\d+/">([^<]+)</a>', html)


@pytest.fixture
def listed(selection):
    made = {}
    for name, status in (
        ("Arden Sexual Violence Advocacy CIC", "decided"),
        ("Brindley Domestic Abuse Support", "submitted"),
        ("Coventry Haven Refuge", "withdrawn"),
        ("Dudley Survivors Network", "evaluated"),
    ):
        made[name] = make_application(
            selection.window, make_supplier(legal_name=name), status=status, submitted_at=timezone.now()
        )
    return made


def test_applications_still_to_decide_come_first(client, selection, listed):
    client.force_login(selection.officer)
    order = names(
        client.get(reverse("frameworks:officer_applications", args=[selection.framework.pk])).content.decode()
    )
    open_ones = {"Brindley Domestic Abuse Support", "Dudley Survivors Network"}
    assert set(order[:2]) == open_ones and set(order[2:]) == set(listed) - open_ones


def test_search_and_sort(client, selection, listed):
    url = reverse("frameworks:officer_applications", args=[selection.framework.pk])
    client.force_login(selection.officer)
    assert names(client.get(url, {"q": "brindley"}).content.decode()) == ["Brindley Domestic Abuse Support"]
    html = client.get(url, {"sort": "applicant", "order": "desc"}).content.decode()
    assert names(html) == sorted(listed, reverse=True)
    assert 'aria-sort="descending"' in html
    html = client.get(url, {"q": "nobody at all"}).content.decode()
    assert "No applications match ‘nobody at all’" in html
    header = re.search(r'href="(\?[^"]*sort=submitted[^"]*)"', client.get(url, {"q": "a"}).content.decode()).group(1)
    assert "q=a" in header


def test_other_officers_and_providers_are_refused(client, selection, listed):
    url = reverse("frameworks:officer_applications", args=[selection.framework.pk])
    client.force_login(make_user(User.Role.OFFICER))
    assert client.get(url, {"q": "brindley"}).status_code == 404
    client.force_login(selection.provider)
    assert client.get(url).status_code == 403


def test_each_row_names_the_lots_applied_for_in_lot_order(client, selection):
    both = make_application(
        selection.window,
        make_supplier(legal_name="Brindley Domestic Abuse Support"),
        lots=[selection.lot2, selection.lot1],
        status="submitted",
        submitted_at=timezone.now(),
    )
    one = make_application(
        selection.window,
        make_supplier(legal_name="Coventry Haven Refuge"),
        lots=[selection.lot2],
        status="submitted",
        submitted_at=timezone.now(),
    )
    client.force_login(selection.officer)
    html = client.get(reverse("frameworks:officer_applications", args=[selection.framework.pk])).content.decode()
    cells = r"</a></td>\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>([^<]*)</td>"  # applicant, window, then lots
    lots_cell = {
        pk: re.search(rf'href="/officer/applications/{pk}/">[^<]+{cells}', html).group(1) for pk in (both.pk, one.pk)
    }
    assert lots_cell == {both.pk: "1, 2", one.pk: "2"}
