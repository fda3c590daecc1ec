"""The coverage matrix's contract tallies (`LiveContractTally`): recounted lot by lot inside the transaction of
every contracts service that changes what they count (going live, an extension, a variation of the end date,
a termination, a change of lot or areas), so the matrix adds up a few rows a lot however many contracts there
are. `manage.py rebuild_coverage_tallies` recounts them with the appointee tallies (`--check` compares).
"""

from __future__ import annotations

from django.db.models import Count

from frameworks.lot_tallies import Key, LotTallies

from .models import Contract, LiveContractTally


def _counted(lot_ids: list[int] | None) -> dict[Key, int]:
    """{(lot, area, starts_on, ends_on): contracts} recounted from the live contracts of these lots, `ends_on`
    being the effective end (the termination date, else the current end)."""
    live = Contract.objects.filter(activated_at__isnull=False, lot__isnull=False)
    if lot_ids is not None:
        live = live.filter(lot_id__in=lot_ids)
    rows = (
        Contract.areas.through.objects.filter(contract__in=live.values("pk"))
        .values_list(
            "contract__lot_id", "area_id", "contract__start_on", "contract__current_end_on", "contract__terminated_on"
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    totals: dict[Key, int] = {}
    for lot, area, starts_on, current_end_on, terminated_on, n in rows:
        key = (lot, area, starts_on, terminated_on or current_end_on)
        totals[key] = totals.get(key, 0) + n
    return totals


LIVE_CONTRACTS = LotTallies(LiveContractTally, ("lot_id", "area_id", "starts_on", "ends_on"), "contracts", _counted)
recount, rebuild, differing, kept = (
    LIVE_CONTRACTS.recount,
    LIVE_CONTRACTS.rebuild,
    LIVE_CONTRACTS.differing,
    LIVE_CONTRACTS.kept,
)


def counted() -> dict[Key, int]:
    return _counted(None)
