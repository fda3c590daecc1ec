"""A provider's own returns to send are decided in Python over their few contracts (`unsent_of_few`); the
officer's queue decides the same rule in the database (`unsent`). Both must list the same returns, in the
same order and with the same due dates, whatever state each contract and return is in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from commissioning.dates import Quarter
from commissioning.work_queues import COUNT_UP_TO
from contracts.models import Contract
from monitoring.models import QuarterlyReturn
from monitoring.work_queues import DUE_SOON_DAYS, LOOKBACK_DAYS, quarters_due_between, unsent, unsent_of_few
from suppliers.models import Supplier
from tests.factories.contracts import make_contract
from tests.factories.monitoring import make_monitored_contract, make_return

pytestmark = pytest.mark.django_db


def listed(rows) -> list[tuple]:
    return [(row.quarter, row.contract.pk, row.due_on) for row in rows]


def test_a_providers_unsent_returns_are_the_ones_the_database_finds():
    first = make_monitored_contract(reference="WM-DA-0003")
    provider = first.provider
    today = timezone.localdate()
    quarters = quarters_due_between(today - timedelta(days=LOOKBACK_DAYS), today + timedelta(days=DUE_SOON_DAYS))
    last, earlier = quarters[0], quarters[1]
    # Sent on time for the last quarter: not listed for it.
    sent = make_monitored_contract(provider=provider, lot=first.contract.lot, reference="WM-DA-0001")
    make_return(sent, last, status=QuarterlyReturn.Status.SUBMITTED)
    # A draft whose due date was agreed for later than the queue looks: not listed for that quarter.
    later = make_monitored_contract(provider=provider, lot=first.contract.lot, reference="WM-DA-0002")
    QuarterlyReturn.objects.filter(pk=make_return(later, earlier).pk).update(due_on=today + timedelta(days=60))
    # A draft for the current quarter agreed for earlier than the standard date: listed with its own date.
    current = Quarter.containing(today)
    early = make_monitored_contract(provider=provider, lot=first.contract.lot, reference="wm-da-0004")
    QuarterlyReturn.objects.filter(pk=make_return(early, current).pk).update(due_on=today + timedelta(days=3))
    # Ended before the last quarter began: listed for earlier quarters only.
    ended = make_monitored_contract(provider=provider, lot=first.contract.lot, reference="WM-DA-0005")
    Contract.objects.filter(pk=ended.contract.pk).update(terminated_on=last.start - timedelta(days=1))
    # Started during the last quarter: listed for it only.
    starting = make_monitored_contract(
        provider=provider, lot=first.contract.lot, reference="WM-DA-0006", start_on=last.start + timedelta(days=10)
    )
    # Marked as having sent every return up to the last quarter: passed over for those quarters (and the
    # current one is not due yet).
    marked = make_monitored_contract(provider=provider, lot=first.contract.lot, reference="WM-DA-0007")
    Contract.objects.filter(pk=marked.contract.pk).update(returns_sent_until=last.end)
    # Not gone live: never listed.
    draft = make_contract(supplier=provider.supplier_membership.supplier, lot=first.contract.lot, by=first.officer)
    # Another provider, its name in lower case: the rows are by provider, case aside, then by reference.
    other = make_monitored_contract(lot=first.contract.lot, reference="WM-DA-0000")
    Supplier.objects.filter(pk=other.contract.supplier_id).update(legal_name="arden advocacy")
    contracts = Contract.objects.filter(
        supplier_id__in=[provider.supplier_membership.supplier_id, other.contract.supplier_id]
    )
    every_quarter = [*quarters, current]

    for due_by in (today + timedelta(days=DUE_SOON_DAYS), today - timedelta(days=1), today + timedelta(days=3)):
        by_database, count = unsent(contracts, every_quarter, due_by=due_by, limit=COUNT_UP_TO)
        by_python = unsent_of_few(contracts, every_quarter, due_by=due_by)
        assert listed(by_python) == listed(by_database)
        assert len(by_python) == count

    rows = listed(unsent_of_few(contracts, every_quarter, due_by=today + timedelta(days=DUE_SOON_DAYS)))
    assert (last, sent.contract.pk, last.return_due) not in rows
    assert (last, first.contract.pk, last.return_due) in rows
    assert not any(quarter == earlier and pk == later.contract.pk for quarter, pk, _ in rows)
    assert [pk for quarter, pk, _ in rows if quarter == last][0] == other.contract.pk
    assert {quarter for quarter, pk, _ in rows if pk == starting.contract.pk} == {last}
    assert not any(pk == marked.contract.pk for _, pk, _ in rows)
    assert all(pk != draft.pk for _, pk, _ in rows)
    assert (current, early.contract.pk, today + timedelta(days=3)) in rows
    assert all(pk != ended.contract.pk for quarter, pk, _ in rows if quarter == last)
    assert any(pk == ended.contract.pk for quarter, pk, _ in rows if quarter == earlier)


def test_no_quarters_lists_nothing():
    m = make_monitored_contract()
    assert unsent_of_few(Contract.objects.filter(pk=m.contract.pk), [], due_by=timezone.localdate()) == []


@pytest.mark.parametrize("contracts_unsent", [2, 3, 6])
def test_the_officers_first_rows_and_count_are_those_of_every_unsent_return(contracts_unsent):
    """With a limit, `unsent` reads a quarter's rows only while rows remain to show and then only counts:
    its rows are the first of all the unsent returns and its count is theirs."""
    first = make_monitored_contract(reference="WM-DA-0100")
    for number in range(1, contracts_unsent):
        make_monitored_contract(officer=first.officer, lot=first.contract.lot, reference=f"WM-DA-01{number:02d}")
    today = timezone.localdate()
    quarters = quarters_due_between(today - timedelta(days=LOOKBACK_DAYS), today - timedelta(days=1))
    contracts = Contract.objects.filter(buying_authority=first.officer.authority)
    due_by = today - timedelta(days=1)

    every, every_count = unsent(contracts, quarters, due_by=due_by, limit=COUNT_UP_TO)
    shown, count = unsent(contracts, quarters, due_by=due_by, limit=5)

    assert len(every) == contracts_unsent * len(quarters) == every_count
    assert listed(shown) == listed(every[:5])
    assert count == every_count


def test_quarters_in_which_no_return_can_be_missing_are_not_asked():
    """A quarter whose contracts are all marked as having sent their returns to its end is not queried: with
    every quarter marked, the officer's queue costs one query; with one contract missing the last quarter's
    return, that quarter alone is asked (with the periods), and its row is the one listed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = make_monitored_contract(reference="WM-DA-0200")
    second = make_monitored_contract(officer=first.officer, lot=first.contract.lot, reference="WM-DA-0201")
    today = timezone.localdate()
    quarters = quarters_due_between(today - timedelta(days=LOOKBACK_DAYS), today - timedelta(days=1))
    contracts = Contract.objects.filter(buying_authority=first.officer.authority)
    due_by = today - timedelta(days=1)
    Contract.objects.filter(pk__in=[first.contract.pk, second.contract.pk]).update(returns_sent_until=quarters[0].end)

    with CaptureQueriesContext(connection) as queries:
        assert unsent(contracts, quarters, due_by=due_by, limit=5) == ([], 0)
    assert len(queries) == 1

    Contract.objects.filter(pk=second.contract.pk).update(returns_sent_until=quarters[1].end)
    with CaptureQueriesContext(connection) as queries:
        shown, count = unsent(contracts, quarters, due_by=due_by, limit=5)
    assert len(queries) == 3
    assert listed(shown) == [(quarters[0], second.contract.pk, quarters[0].return_due)] and count == 1
    assert listed(shown) == listed(unsent_of_few(contracts, quarters, due_by=due_by))
