"""A work queue reads its rows, and counts them only when they fill what a home page shows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissioning import work_queues as wq
from commissioning.models import Area

pytestmark = pytest.mark.django_db


def areas(n: int) -> None:
    Area.objects.bulk_create(Area(name=f"Queue area {i:03d}", code=f"queue-area-{i:03d}") for i in range(n))


def queue_of_areas() -> tuple[wq.Queue, int]:
    rows = Area.objects.filter(name__startswith="Queue area").order_by("name")
    with CaptureQueriesContext(connection) as queries:
        queue = wq.Queue.of(rows, lambda area: wq.QueueItem(title=area.name, url="/"), key="areas", heading="Areas")
    return queue, len(queries.captured_queries)


@pytest.mark.parametrize("n", [0, 1, wq.SHOWN - 1])
def test_a_queue_shorter_than_a_home_page_shows_is_counted_from_its_rows_in_one_query(n):
    areas(n)
    queue, queries = queue_of_areas()
    assert (queue.count, len(queue.items), queries) == (n, n, 1)
    assert queue.count_label == str(n)


@pytest.mark.parametrize("n", [wq.SHOWN, wq.SHOWN + 1, wq.COUNT_UP_TO])
def test_a_queue_that_fills_what_is_shown_is_counted_by_a_second_query(n):
    areas(n)
    queue, queries = queue_of_areas()
    assert (queue.count, len(queue.items), queries) == (n, wq.SHOWN, 2)
    assert [item.title for item in queue.items] == [f"Queue area {i:03d}" for i in range(wq.SHOWN)]
    assert queue.more == n - wq.SHOWN


def test_a_queue_beyond_the_count_says_more_than_it_counted():
    areas(wq.COUNT_UP_TO + 20)
    queue, queries = queue_of_areas()
    assert queries == 2
    assert queue.over_count and queue.count_label == f"{wq.COUNT_UP_TO}+"
    assert queue.more_label == f"over {wq.COUNT_UP_TO - wq.SHOWN} more"


def test_a_list_already_read_is_counted_as_it_is_without_a_query():
    with CaptureQueriesContext(connection) as queries:
        queue = wq.Queue.of(list(range(8)), lambda i: wq.QueueItem(title=str(i), url="/"), key="n", heading="N")
    assert (queue.count, len(queue.items), len(queries.captured_queries)) == (8, wq.SHOWN, 0)
