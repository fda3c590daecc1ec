"""The coverage matrix's contract tallies (`LiveContractTally`): recounted lot by lot inside the transaction of
every contracts service that changes what they count (going live, an extension, a variation of the end date,
a termination, a change of lot or areas), so the matrix adds up a few rows a lot however many contracts there
are. `manage.py rebuild_coverage_tallies` recounts them with the appointee tallies (`--check` compares).

The lots are locked first, in order, so two changes on one lot recount one after the other.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Count, QuerySet

from frameworks.models import Lot

from .models import Contract, LiveContractTally

Key = tuple[int, int, date, date]


def counted(contracts: QuerySet[Contract] | None = None) -> dict[Key, int]:
    """{(lot, area, starts_on, ends_on): contracts} recounted from the contracts that have gone live."""
    contracts = Contract.objects.all() if contracts is None else contracts
    live = contracts.filter(activated_at__isnull=False, lot__isnull=False)
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


def kept() -> dict[Key, int]:
    return {
        (lot, area, starts_on, ends_on): n
        for lot, area, starts_on, ends_on, n in LiveContractTally.objects.values_list(
            "lot_id", "area_id", "starts_on", "ends_on", "contracts"
        )
    }


def recount(lot_ids: Iterable[int | None]) -> None:
    """Recount the tallies of these lots from their contracts."""
    ids = sorted({pk for pk in lot_ids if pk is not None})
    if not ids:
        return
    with transaction.atomic():
        list(Lot.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
        LiveContractTally.objects.filter(lot_id__in=ids).delete()
        LiveContractTally.objects.bulk_create(
            LiveContractTally(lot_id=lot, area_id=area, starts_on=starts_on, ends_on=ends_on, contracts=n)
            for (lot, area, starts_on, ends_on), n in counted(Contract.objects.filter(lot_id__in=ids)).items()
        )


def rebuild() -> int:
    """Recount every lot's tallies; returns how many tally rows there are now."""
    recount(Lot.objects.values_list("pk", flat=True))
    return LiveContractTally.objects.count()


def differing() -> set[Key]:
    expected, actual = counted(), kept()
    return {key for key in expected.keys() | actual.keys() if expected.get(key) != actual.get(key)}
