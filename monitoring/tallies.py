"""The returns dashboard's tallies (`ReturnTally`): kept up to date by the services, inside the transaction
that moves a return, and rebuilt from the returns by `manage.py rebuild_return_tallies` (after rows were
written behind the services: a bulk import, a repaired database, a contract moved to another lot).

A service reads the return's key before it changes it (`key_of`) and calls `moved(before, quarterly_return)`
after saving it, as the last write of its transaction: every return of a lot and quarter is counted in the
same few rows, whose locks are held until the commit, so in the rush before a deadline each submission
waited for the rest of the others' transactions (their audit events, e-mails, values) when the tallies moved
first. Both counts change in one canonical order (sorted keys), so two returns moving at once wait for each
other rather than deadlock; a count is changed by an UPDATE adding to it, never read and written back, so no
move is lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from .models import QuarterlyReturn, ReturnPeriod, Timeliness
from .tally_models import ReturnTally


class TallyKey(NamedTuple):
    period_id: int
    lot_id: int | None
    status: str
    sent: str
    due_on: date

    def sort_key(self) -> tuple:
        return (self.period_id, self.lot_id or 0, self.status, self.sent, self.due_on)


def sent_of(*, due_on: date, submitted_at) -> str:
    if submitted_at is None:
        return ReturnTally.Sent.UNSENT
    return ReturnTally.Sent.LATE if timezone.localdate(submitted_at) > due_on else ReturnTally.Sent.ON_TIME


def key_of(quarterly_return: QuarterlyReturn | None) -> TallyKey | None:
    """Where the return is counted, from its row as it is now (None: no return, nothing counted)."""
    if quarterly_return is None or quarterly_return.pk is None:
        return None
    return TallyKey(
        quarterly_return.period_id,
        quarterly_return.contract.lot_id,
        quarterly_return.status,
        sent_of(due_on=quarterly_return.due_on, submitted_at=quarterly_return.submitted_at),
        quarterly_return.due_on,
    )


def _key_filter(key: TallyKey) -> Q:
    return Q(period_id=key.period_id, lot_id=key.lot_id, status=key.status, sent=key.sent, due_on=key.due_on)


def _add(key: TallyKey, number: int) -> None:
    if ReturnTally.objects.filter(_key_filter(key)).update(count=F("count") + number):
        return
    try:
        with transaction.atomic():  # a savepoint: another transaction may create the same row first
            ReturnTally.objects.create(**key._asdict(), count=number)
    except IntegrityError:
        ReturnTally.objects.filter(_key_filter(key)).update(count=F("count") + number)


def moved(before: TallyKey | None, quarterly_return: QuarterlyReturn) -> None:
    """Count the return where it is now instead of where it was (`before`, from `key_of`)."""
    after = key_of(quarterly_return)
    if before == after:
        return
    changes = [(key, n) for key, n in ((before, -1), (after, 1)) if key is not None]
    for key, number in sorted(changes, key=lambda change: change[0].sort_key()):
        _add(key, number)


def counted(returns=None) -> dict[TallyKey, int]:
    """A full recount of `returns` (every return by default), by tally key: what the tallies must equal."""
    returns = QuarterlyReturn.objects.all() if returns is None else returns
    rows = (
        returns.order_by()
        .values("period_id", "contract__lot_id", "status", "due_on", "submitted_at")
        .annotate(n=Count("pk"))
    )
    totals: dict[TallyKey, int] = {}
    for row in rows.iterator(chunk_size=5_000):
        key = TallyKey(
            row["period_id"],
            row["contract__lot_id"],
            row["status"],
            sent_of(due_on=row["due_on"], submitted_at=row["submitted_at"]),
            row["due_on"],
        )
        totals[key] = totals.get(key, 0) + row["n"]
    return totals


def kept() -> dict[TallyKey, int]:
    """The tallies as kept, without the empty ones."""
    return {
        TallyKey(t.period_id, t.lot_id, t.status, t.sent, t.due_on): t.count
        for t in ReturnTally.objects.filter(count__gt=0)
    }


@transaction.atomic
def rebuild_tallies(periods: Iterable[ReturnPeriod] | None = None) -> int:
    """Recount the tallies of `periods` (all of them by default) from the returns; returns how many
    tally rows there are now."""
    tallies, returns = ReturnTally.objects.all(), QuarterlyReturn.objects.all()
    if periods is not None:
        ids = [p.pk for p in periods]
        tallies, returns = tallies.filter(period_id__in=ids), returns.filter(period_id__in=ids)
    tallies.delete()
    rows = [ReturnTally(**key._asdict(), count=n) for key, n in counted(returns).items()]
    ReturnTally.objects.bulk_create(rows, batch_size=2_000)
    return len(rows)


def by_lot(period: ReturnPeriod, *, today: date, lot_ids: Iterable[int | None] | None = None) -> dict:
    """{lot_id: {(status, timeliness): count}} for the period's returns, as of `today`: an unsent return
    is overdue after its due date and not yet due until then. One query of a few dozen rows."""
    tallies = ReturnTally.objects.filter(period=period, count__gt=0)
    if lot_ids is not None:
        lot_ids = list(lot_ids)
        wanted = Q(lot_id__in=[i for i in lot_ids if i is not None])
        if None in lot_ids:
            wanted |= Q(lot__isnull=True)
        tallies = tallies.filter(wanted)
    result: dict[int | None, dict[tuple[str, str], int]] = {}
    rows = tallies.values("lot_id", "status", "sent", "due_on").annotate(n=Sum("count")).order_by()
    for row in rows:
        sent = row["sent"]
        if sent == ReturnTally.Sent.UNSENT:
            on_time = Timeliness.OVERDUE if today > row["due_on"] else Timeliness.NOT_DUE
        else:
            on_time = Timeliness.ON_TIME if sent == ReturnTally.Sent.ON_TIME else Timeliness.LATE
        states = result.setdefault(row["lot_id"], {})
        states[(row["status"], on_time)] = states.get((row["status"], on_time), 0) + row["n"]
    return result
