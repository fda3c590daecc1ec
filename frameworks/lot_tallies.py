"""Tallies kept per lot (the coverage matrix's appointees and live contracts): a change recounts the whole of
the lots it touches from their rows, inside its transaction, rather than adding to and taking from counts. A
lot holds few enough rows for that to be cheap, and a recount cannot drift. The lots are locked first, in
order, so two changes on one lot recount one after the other instead of both inserting."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models, transaction

from .models import Lot

Key = tuple
# Counts by key for the rows of these lots (None: every lot), the first item of a key being the lot's id.
Counter = Callable[[list[int] | None], dict[Key, int]]


@dataclass(frozen=True)
class LotTallies:
    model: type[models.Model]
    key_fields: tuple[str, ...]  # the tally's fields that make its key, "lot_id" first
    count_field: str
    counted: Counter

    def kept(self) -> dict[Key, int]:
        rows = self.model.objects.values_list(*self.key_fields, self.count_field)
        return {tuple(row[:-1]): row[-1] for row in rows}

    def recount(self, lot_ids: Iterable[int | None]) -> None:
        ids = sorted({pk for pk in lot_ids if pk is not None})
        if not ids:
            return
        with transaction.atomic():
            list(Lot.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
            self.model.objects.filter(lot_id__in=ids).delete()
            self.model.objects.bulk_create(
                self.model(**dict(zip(self.key_fields, key, strict=True)), **{self.count_field: n})
                for key, n in self.counted(ids).items()
            )

    def rebuild(self) -> int:
        """Recount every lot; returns how many tally rows there are now."""
        self.recount(Lot.objects.values_list("pk", flat=True))
        return self.model.objects.count()

    def differing(self) -> set[Key]:
        expected, actual = self.counted(None), self.kept()
        return {key for key in expected.keys() | actual.keys() if expected.get(key) != actual.get(key)}
