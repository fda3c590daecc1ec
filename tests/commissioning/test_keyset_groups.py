"""A list read in groups (`keyset_paginate(groups=...)`, the contract register's current contracts before those
over) stops asking once its page is full: the groups after the page are not queried at all."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from commissioning.pagination import keyset_paginate
from suppliers.models import Supplier
from tests.factories import make_supplier

pytestmark = pytest.mark.django_db

GROUPS = [Q(legal_name__startswith="A"), Q(legal_name__startswith="B"), Q(legal_name__startswith="C")]


def _page(rf, query: str = ""):
    with CaptureQueriesContext(connection) as queries:
        page = keyset_paginate(rf.get("/" + query), Supplier.objects.all(), ["legal_name", "pk"], 2, groups=GROUPS)
    return [s.legal_name for s in page.object_list], page, len(queries.captured_queries)


def test_a_page_filled_by_its_first_group_asks_no_other(rf):
    for name in ("Aston Women's Aid", "Acorn Refuge", "Ash Refuge", "Alder ISVA", "Birch Advocacy", "Cedar ISVA"):
        make_supplier(legal_name=name)
    names, page, queries = _page(rf)
    assert names == ["Acorn Refuge", "Alder ISVA"] and page.has_next
    assert queries == 1
    # The next page finishes the first group, and finds in the second the row that says there is more; it
    # does not ask the third: two queries, not three.
    names, page, queries = _page(rf, f"?page={page.next_cursor}")
    assert names == ["Ash Refuge", "Aston Women's Aid"] and page.has_next
    assert queries == 2
    names, page, queries = _page(rf, f"?page={page.next_cursor}")
    assert names == ["Birch Advocacy", "Cedar ISVA"] and not page.has_next
    assert queries == 3  # the rest of the first group (none left), the second and the third


def test_a_page_spanning_every_group_asks_each_once(rf):
    for name in ("Acorn Refuge", "Cedar Counselling"):
        make_supplier(legal_name=name)
    names, page, queries = _page(rf)
    assert names == ["Acorn Refuge", "Cedar Counselling"]
    assert queries == 3
