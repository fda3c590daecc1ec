"""The tallies kept of the live contracts, lot by lot: the coverage matrix's (`LiveContractTally`, by area and
term) and the returns dashboard's (`ContractTermTally`, by term). Both are recounted lot by lot inside the
transaction of every contracts service that changes what they count (going live, an extension, a variation
of the end date, a termination, a change of lot or areas), so the pages add up a few rows a lot however many
contracts there are. `manage.py rebuild_coverage_tallies` recounts them with the appointee tallies
(`--check` compares).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Count, Sum

from frameworks.lot_tallies import Key, LotTallies

from .models import Contract, ContractTermTally, LiveContractTally


def _live(lot_ids: list[int] | None):
    live = Contract.objects.filter(activated_at__isnull=False, lot__isnull=False)
    return live if lot_ids is None else live.filter(lot_id__in=lot_ids)


def _by_effective_end(rows) -> dict[Key, int]:
    """Counts by key from rows of (key columns..., current end, termination date, count): the two dates folded
    into the effective end, the termination date when there is one."""
    totals: dict[Key, int] = {}
    for *columns, current_end_on, terminated_on, n in rows:
        key = (*columns, terminated_on or current_end_on)
        totals[key] = totals.get(key, 0) + n
    return totals


def _counted(lot_ids: list[int] | None) -> dict[Key, int]:
    """{(lot, area, starts_on, ends_on): contracts} recounted from the live contracts of these lots, `ends_on`
    being the effective end (the termination date, else the current end)."""
    rows = (
        Contract.areas.through.objects.filter(contract__in=_live(lot_ids).values("pk"))
        .values_list(
            "contract__lot_id", "area_id", "contract__start_on", "contract__current_end_on", "contract__terminated_on"
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _by_effective_end(rows)


def _terms_counted(lot_ids: list[int] | None) -> dict[Key, int]:
    """{(lot, starts_on, ends_on): contracts} recounted from the live contracts of these lots."""
    rows = (
        _live(lot_ids)
        .values_list("lot_id", "start_on", "current_end_on", "terminated_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _by_effective_end(rows)


LIVE_CONTRACTS = LotTallies(LiveContractTally, ("lot_id", "area_id", "starts_on", "ends_on"), "contracts", _counted)
CONTRACT_TERMS = LotTallies(ContractTermTally, ("lot_id", "starts_on", "ends_on"), "contracts", _terms_counted)
KEPT = (LIVE_CONTRACTS, CONTRACT_TERMS)
differing, kept = LIVE_CONTRACTS.differing, LIVE_CONTRACTS.kept


def recount(lot_ids: Iterable[int | None], *, also_locking: Iterable[int] = ()) -> None:
    lot_ids, also_locking = list(lot_ids), list(also_locking)
    for tallies in KEPT:
        tallies.recount(lot_ids, also_locking=also_locking)


def rebuild() -> int:
    """Recount both tallies of every lot; returns how many rows they hold now."""
    return sum(tallies.rebuild() for tallies in KEPT)


def terms_differing() -> set[Key]:
    return CONTRACT_TERMS.differing()


def counted() -> dict[Key, int]:
    return _counted(None)


def in_force_by_lot(lots, first: date, last: date) -> dict[int, int]:
    """{lot id: live contracts in force on at least one day from `first` to `last`} for these lots (a queryset
    of lots or a list of ids), added up from their term tallies: as `ContractQuerySet.in_force_during`
    counts, for lots whose every contract is counted. Lots with none in force are left out."""
    rows = (
        ContractTermTally.objects.filter(lot__in=lots, starts_on__lte=last, ends_on__gte=first)
        .order_by()
        .values_list("lot_id")
        .annotate(n=Sum("contracts"))
    )
    return {lot_id: n for lot_id, n in rows if n}
