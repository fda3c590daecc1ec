"""Each contract's returns-sent mark (`Contract.returns_sent_until`): moved by the submitting service, never ahead
of the returns, rebuilt and checked by `rebuild_return_tallies`, and used by the overdue-returns search only to
pass over contracts whose return for a quarter is certainly sent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from commissioning.dates import Quarter
from contracts.models import Contract
from monitoring import returns_sent
from monitoring.models import QuarterlyReturn, ReturnPeriod
from monitoring.work_queues import overdue_returns
from tests.factories.monitoring import make_monitored_contract, make_return

pytestmark = pytest.mark.django_db
Status = QuarterlyReturn.Status
Q1, Q2, Q3 = Quarter(2025, 1), Quarter(2025, 2), Quarter(2025, 3)


def mark_of(contract: Contract) -> date | None:
    return Contract.objects.values_list("returns_sent_until", flat=True).get(pk=contract.pk)


def test_the_mark_is_the_end_of_the_unbroken_run_of_sent_quarters_from_the_start():
    start = date(2025, 5, 14)  # in Q1 (April to June)
    assert returns_sent.sent_until_of(start, set()) is None
    assert returns_sent.sent_until_of(start, {(2025, 2)}) is None  # Q1 missing: nothing is certain
    assert returns_sent.sent_until_of(start, {(2025, 1)}) == date(2025, 6, 30)
    assert returns_sent.sent_until_of(start, {(2025, 1), (2025, 2), (2025, 4)}) == date(2025, 9, 30)
    assert returns_sent.sent_until_of(date(2025, 1, 2), {(2024, 4), (2025, 1)}) == date(2025, 6, 30)


def test_sending_moves_the_mark_and_a_gap_holds_it_back():
    m = make_monitored_contract()
    assert mark_of(m.contract) is None

    make_return(m, Q2, status=Status.SUBMITTED)
    assert mark_of(m.contract) is None  # Q1, the first quarter, is not sent

    make_return(m, Q1, status=Status.SUBMITTED)
    assert mark_of(m.contract) == Q2.end  # the gap is filled: both quarters are certain

    make_return(m, Q3)  # a draft moves nothing
    assert mark_of(m.contract) == Q2.end


def test_returning_and_resubmitting_leave_the_mark_where_the_first_sending_put_it():
    m = make_monitored_contract()
    make_return(m, Q1, status=Status.RESUBMITTED)  # submitted, returned for amendment, resubmitted
    assert mark_of(m.contract) == Q1.end
    assert returns_sent.differing() == {}


def test_rows_written_behind_the_services_are_found_and_rebuilt_by_the_command(capsys):
    m = make_monitored_contract()
    period = ReturnPeriod.for_quarter(Q1)
    QuarterlyReturn.objects.create(
        contract=m.contract,
        period=period,
        status=Status.ACCEPTED,
        due_on=Q1.return_due,
        submitted_at=timezone.now(),
        accepted_at=timezone.now(),
        created_by=m.provider,
    )
    assert returns_sent.differing() == {m.contract.pk: (None, Q1.end)}
    with pytest.raises(SystemExit):
        call_command("rebuild_return_tallies", "--check")
    assert "1 contracts' returns-sent marks differ" in capsys.readouterr().out

    call_command("rebuild_return_tallies")
    assert mark_of(m.contract) == Q1.end
    call_command("rebuild_return_tallies", "--check")
    assert "every contract's returns-sent mark equal a full recount" in capsys.readouterr().out


def last_due_quarters(n: int) -> list[Quarter]:
    today = timezone.localdate()
    quarter = Quarter.containing(today)
    while quarter.return_due >= today:
        quarter = quarter.previous()
    found = []
    for _ in range(n):
        found.append(quarter)
        quarter = quarter.previous()
    return found


def test_an_old_gap_stays_overdue_while_later_quarters_are_sent_and_a_caught_up_contract_is_passed_over(client):
    latest, before, oldest = last_due_quarters(3)
    behind = make_monitored_contract(start_on=oldest.start)
    make_return(behind, latest, status=Status.SUBMITTED)
    make_return(behind, oldest, status=Status.SUBMITTED)  # `before` is missing
    caught_up = make_monitored_contract(start_on=oldest.start, officer=behind.officer)
    for quarter in (oldest, before, latest):
        make_return(caught_up, quarter, status=Status.SUBMITTED)
    assert mark_of(behind.contract) == oldest.end
    assert mark_of(caught_up.contract) >= latest.end

    queue = overdue_returns(behind.officer, timezone.now())
    overdue = [(row.detail, row.title) for row in queue.items]
    assert queue.count == 1
    assert overdue == [
        (
            behind.contract.title,
            f"{behind.contract.supplier.legal_name}: {before.label} return for {behind.contract.reference}",
        )
    ]

    client.force_login(behind.officer)
    html = client.get(reverse("officer_home")).content.decode()
    assert f"{before.label} return for {behind.contract.reference}" in html
    assert (
        f"return for {caught_up.contract.reference}"
        not in html.split('id="queue-overdue-returns"')[1].split("</section>")[0]
    )


def test_a_mark_left_behind_only_costs_time_never_hides_a_missing_return():
    """A contract whose mark was never set (rows written behind the services) is searched like any other."""
    latest, before = last_due_quarters(2)
    m = make_monitored_contract(start_on=before.start)
    make_return(m, before, status=Status.SUBMITTED)
    Contract.objects.filter(pk=m.contract.pk).update(returns_sent_until=None)
    queue = overdue_returns(m.officer, timezone.now() + timedelta(days=0))
    assert [row.title for row in queue.items] == [
        f"{m.contract.supplier.legal_name}: {latest.label} return for {m.contract.reference}"
    ]
