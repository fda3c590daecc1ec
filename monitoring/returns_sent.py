"""How far each contract's quarterly returns have been sent without a gap: `Contract.returns_sent_until`, the end
of the last quarter up to which every return has been sent, from the quarter the contract started in (empty
until its first return is sent).

The overdue-returns search (`monitoring.work_queues.unsent_during`) uses it to pass over, through an index,
the contracts whose return for a quarter is certainly sent, so the officers' home page reads the contracts
with something missing rather than every contract in force. It may only ever lag behind the returns (a
contract it does not pass over is looked at as before), never run ahead: it moves forward when a return is
first sent (`advance`, inside the submitting transaction), a sent return is never unsent, and a contract's
start date is fixed once it has gone live. Rows written behind the services (imports, the benchmark's data,
the demo) are brought up to date by `rebuild` (`manage.py rebuild_return_tallies`, which also checks it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import QuerySet

from commissioning.dates import Quarter
from contracts.models import Contract

from .models import QuarterlyReturn

BATCH = 2_000


def sent_until_of(start_on: date, sent: set[tuple[int, int]]) -> date | None:
    """The end of the last quarter in the unbroken run of sent quarters from the one containing `start_on`
    (`sent`: the (financial year, quarter) of each sent return); None when the first is not sent."""
    quarter, until = Quarter.containing(start_on), None
    while (quarter.financial_year, quarter.number) in sent:
        until = quarter.end
        quarter = quarter.next()
    return until


def _sent_quarters(contract_ids: Iterable[int]) -> dict[int, set[tuple[int, int]]]:
    sent: dict[int, set[tuple[int, int]]] = defaultdict(set)
    rows = QuarterlyReturn.objects.filter(contract_id__in=contract_ids, submitted_at__isnull=False).values_list(
        "contract_id", "period__financial_year", "period__quarter"
    )
    for contract_id, financial_year, number in rows.order_by().iterator(chunk_size=BATCH):
        sent[contract_id].add((financial_year, number))
    return sent


def advance(contract: Contract) -> None:
    """Recompute one contract's mark after one of its returns was sent for the first time."""
    until = sent_until_of(contract.start_on, _sent_quarters([contract.pk])[contract.pk])
    if until != contract.returns_sent_until:
        Contract.objects.filter(pk=contract.pk).update(returns_sent_until=until)
        contract.returns_sent_until = until


def computed(contracts: QuerySet[Contract] | None = None) -> dict[int, date | None]:
    """Every contract's mark as the returns say it should be, by contract id."""
    contracts = Contract.objects.all() if contracts is None else contracts
    starts = dict(contracts.order_by().values_list("pk", "start_on"))
    result: dict[int, date | None] = {}
    ids = sorted(starts)
    for first in range(0, len(ids), BATCH):
        batch = ids[first : first + BATCH]
        sent = _sent_quarters(batch)
        result.update({pk: sent_until_of(starts[pk], sent.get(pk, set())) for pk in batch})
    return result


def differing(contracts: QuerySet[Contract] | None = None) -> dict[int, tuple[date | None, date | None]]:
    """Contracts whose mark is not what the returns say: {id: (kept, computed)}."""
    contracts = Contract.objects.all() if contracts is None else contracts
    kept = dict(contracts.order_by().values_list("pk", "returns_sent_until"))
    return {pk: (kept[pk], until) for pk, until in computed(contracts).items() if kept[pk] != until}


def rebuild(contracts: QuerySet[Contract] | None = None) -> int:
    """Bring every mark up to date with the returns; returns how many changed."""
    changes = differing(contracts)
    rows = [Contract(pk=pk, returns_sent_until=until) for pk, (_, until) in changes.items()]
    Contract.objects.bulk_update(rows, ["returns_sent_until"], batch_size=BATCH)
    return len(rows)
