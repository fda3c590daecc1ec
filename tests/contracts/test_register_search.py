"""Issue 18: the contract register lists current contracts before ended ones, has a search box (reference,
provider, title) and sortable columns from a whitelist, and keeps the search, filters and sort in the URL
(pagination links keep them)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from commissioning.models import User
from tests.factories import make_supplier, make_user
from tests.factories.contracts import make_live_contract

pytestmark = pytest.mark.django_db

URL = reverse("contracts:officer_register")


@pytest.fixture
def officer(db):
    return make_user(User.Role.OFFICER)


def titles(html: str) -> list[str]:
    return re.findall(r'href="/officer/contracts/\d+/">([^<]+)</a>', html)


def test_current_contracts_come_before_ended_ones(client, officer):
    make_live_contract(
        by=officer, title="Ended refuge service", start_on=date(2020, 4, 1), initial_end_on=date(2023, 3, 31)
    )
    make_live_contract(by=officer, title="Current IDVA service", start_on=date(2025, 4, 1))
    client.force_login(officer)
    listed = titles(client.get(URL).content.decode())
    assert listed.index("Current IDVA service") < listed.index("Ended refuge service")


def test_the_search_finds_by_reference_provider_and_title(client, officer):
    brindley = make_supplier(legal_name="Brindley Domestic Abuse Support")
    make_live_contract(by=officer, title="Community IDVA service", supplier=brindley, reference="WMOPCC-IDVA-01")
    make_live_contract(by=officer, title="Sexual violence advocacy", reference="WMOPCC-ISVA-02")
    client.force_login(officer)

    assert titles(client.get(URL, {"q": "brindley"}).content.decode()) == ["Community IDVA service"]
    assert titles(client.get(URL, {"q": "ISVA-02"}).content.decode()) == ["Sexual violence advocacy"]
    assert titles(client.get(URL, {"q": "advocacy"}).content.decode()) == ["Sexual violence advocacy"]
    html = client.get(URL, {"q": "nothing like this"}).content.decode()
    assert "No contracts match ‘nothing like this’" in html
    assert 'value="nothing like this"' in html  # what was typed is kept


def test_columns_sort_both_ways_and_an_unknown_column_is_ignored(client, officer):
    for name in ("Beta Support", "Alpha Support", "Gamma Support"):
        make_live_contract(by=officer, title=f"Service of {name}", supplier=make_supplier(legal_name=name))
    client.force_login(officer)

    ascending = client.get(URL, {"sort": "provider"}).content.decode()
    assert titles(ascending) == ["Service of Alpha Support", "Service of Beta Support", "Service of Gamma Support"]
    assert 'aria-sort="ascending"' in ascending
    assert "sort=provider&amp;order=desc" in ascending  # the header now offers the other way
    descending = client.get(URL, {"sort": "provider", "order": "desc"}).content.decode()
    assert titles(descending) == ["Service of Gamma Support", "Service of Beta Support", "Service of Alpha Support"]
    assert 'aria-sort="descending"' in descending
    assert client.get(URL, {"sort": "supplier__legal_name;drop"}).status_code == 200


def test_the_search_and_sort_stay_in_the_links(client, officer):
    for n in range(55):
        make_live_contract(by=officer, title=f"Outreach service {n}")
    client.force_login(officer)
    html = client.get(URL, {"q": "outreach", "sort": "contract", "order": "desc"}).content.decode()
    nxt = re.search(r'href="\?([^"]+)" rel="next"', html).group(1)
    assert "q=outreach" in nxt and "sort=contract" in nxt and "order=desc" in nxt and "page=n." in nxt
    second = client.get(URL + "?" + nxt.replace("&amp;", "&")).content.decode()
    assert second.count("Outreach service") == 5  # the 55th to the 51st, still searched and sorted
    header = re.search(r'href="(\?[^"]*sort=provider[^"]*)"', html).group(1)
    assert "q=outreach" in header and "page=" not in header


def test_providers_are_refused(client):
    client.force_login(make_user(User.Role.PROVIDER))
    assert client.get(URL, {"q": "x"}).status_code == 403


def test_pages_run_on_from_the_current_contracts_to_the_ended_ones_both_ways(rf, officer):
    """The register is paged a group at a time (drafts past their end date, the other contracts not over,
    then those over; `register_groups`), each read in the end date's order off its index: walking the pages
    forwards and back, two a page, gives the whole register in the order of "not over first, soonest ending
    first" and nothing twice."""
    from commissioning.pagination import keyset_paginate
    from contracts import selectors
    from contracts.services import terminate_contract
    from tests.factories.contracts import make_contract

    today = date(2026, 12, 6)
    draft_past = make_contract(by=officer, title="Draft whose end has passed", initial_end_on=date(2026, 3, 31))
    draft_future = make_contract(by=officer, title="Draft ending later", initial_end_on=date(2028, 3, 31))
    live_soon = make_live_contract(by=officer, title="Live ending soon", initial_end_on=date(2027, 1, 31))
    live_later = make_live_contract(by=officer, title="Live ending later", initial_end_on=date(2029, 3, 31))
    ended = make_live_contract(by=officer, title="Ended", start_on=date(2020, 4, 1), initial_end_on=date(2023, 3, 31))
    terminated = make_live_contract(by=officer, title="Terminated", initial_end_on=date(2028, 3, 31))
    terminate_contract(
        by=officer, contract=terminated, terminated_on=date(2026, 6, 30), reason="Service moved", today=today
    )
    terminating = make_live_contract(by=officer, title="Terminating next month", initial_end_on=date(2028, 6, 30))
    terminate_contract(
        by=officer, contract=terminating, terminated_on=date(2027, 1, 15), reason="Service moved", today=today
    )
    expected = [draft_past, live_soon, draft_future, terminating, live_later, ended, terminated]

    def page(query: str = ""):
        request = rf.get(URL + query)
        request.user = officer
        contracts = selectors.register(selectors.RegisterFilters(), today=today, user=officer)
        ordering = selectors.register_ordering(None)
        return keyset_paginate(request, contracts, ordering, 2, groups=selectors.register_groups(None, today))

    forwards, current = [], page()
    while True:
        forwards += current.object_list
        if not current.has_next:
            break
        current = page(f"?page={current.next_cursor}")
    assert [c.title for c in forwards] == [c.title for c in expected]

    backwards = list(current.object_list)
    while current.has_previous:
        current = page(f"?page={current.previous_cursor}")
        backwards = current.object_list + backwards
    assert [c.title for c in backwards] == [c.title for c in expected]
    assert current.first_page


@pytest.mark.parametrize("is_over", [0, 1])
def test_a_cursor_from_before_the_groups_shows_the_first_page(rf, officer, is_over):
    """A register link made before the register was read in groups carried (is_over, end, reference, pk): four
    values, as many as a grouped cursor of the new order (group, end, reference, pk). Signed the same way, it must
    not pass for a grouped one (is_over as the group: the over contracts' next page would restart the current
    ones, a current contract's would jump back to the start of the group), but show the first page, as any
    cursor that is not ours does."""
    import json

    from django.core import signing
    from django.core.serializers.json import DjangoJSONEncoder

    from commissioning.pagination import keyset_paginate
    from contracts import selectors

    today = date(2026, 12, 6)
    current = [
        make_live_contract(by=officer, title=f"Current {i}", initial_end_on=date(2027 + i, 3, 31)) for i in range(4)
    ]
    ended = [
        make_live_contract(
            by=officer, title=f"Ended {i}", start_on=date(2020, 4, 1), initial_end_on=date(2023, 3, 31 - i)
        )
        for i in range(3)
    ]
    boundary = ended[2] if is_over else current[1]  # old next pages: Ended 1, Ended 0 / Current 2, Current 3

    class OldSerializer:  # what `keyset_paginate` signed its cursors with before c4f1482
        def dumps(self, obj):
            return json.dumps(obj, cls=DjangoJSONEncoder, separators=(",", ":")).encode()

        def loads(self, data):
            return json.loads(data)

    old = "n." + signing.dumps(
        [is_over, boundary.current_end_on, boundary.reference, boundary.pk],
        salt="keyset",
        compress=True,
        serializer=OldSerializer,
    )

    def page(query: str = ""):
        request = rf.get(URL + query)
        request.user = officer
        contracts = selectors.register(selectors.RegisterFilters(), today=today, user=officer)
        return keyset_paginate(
            request, contracts, selectors.register_ordering(None), 2, groups=selectors.register_groups(None, today)
        )

    first, from_old = page(), page(f"?page={old}")
    assert [c.title for c in from_old.object_list] == [c.title for c in first.object_list]
    assert from_old.first_page and not from_old.has_previous


def test_each_row_names_its_lot_and_areas_in_alphabetical_order(client, officer):
    from tests.factories import make_area

    covered = make_live_contract(by=officer, title="Community IDVA service")
    covered.areas.set([make_area(name="Wolverhampton", code="wolves"), make_area(name="Coventry", code="cov")])
    make_live_contract(by=officer, title="Sexual violence advocacy")
    client.force_login(officer)
    html = client.get(URL).content.decode()
    row = html.split(">Community IDVA service</a>", 1)[1].split("</td>", 1)[0]
    assert row.endswith("· Coventry, Wolverhampton</span>")
    other = html.split(">Sexual violence advocacy</a>", 1)[1].split("</td>", 1)[0]
    assert "Coventry" not in other and "Wolverhampton" not in other
