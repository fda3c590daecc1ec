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
    key_fields: tuple[str, ...]  # the tally's fields that make its key, the owner's ("lot_id") first
    count_field: str
    counted: Counter
    owner: type[models.Model] = Lot  # whose rows a recount replaces: a lot's, or (per framework) a framework's

    def kept(self) -> dict[Key, int]:
        rows = self.model.objects.values_list(*self.key_fields, self.count_field)
        return {tuple(row[:-1]): row[-1] for row in rows}

    def replace(self, owner_ids: list[int]) -> None:
        """Replace these owners' tallies with a recount; the caller holds the locks that keep it alone."""
        self.model.objects.filter(**{f"{self.key_fields[0]}__in": owner_ids}).delete()
        self.model.objects.bulk_create(
            self.model(**dict(zip(self.key_fields, key, strict=True)), **{self.count_field: n})
            for key, n in self.counted(owner_ids).items()
        )

    def recount(self, lot_ids: Iterable[int | None], *, also_locking: Iterable[int] = ()) -> None:
        """Recount these lots' tallies, with these lots and `also_locking` (more lots) locked in order."""
        ids = sorted({pk for pk in lot_ids if pk is not None})
        if not ids:
            return
        with transaction.atomic():
            locked = sorted(set(ids) | set(also_locking))
            list(Lot.objects.select_for_update().filter(pk__in=locked).order_by("pk").values_list("pk", flat=True))
            self.replace(ids)

    def rebuild(self) -> int:
        """Recount every owner's tallies; returns how many tally rows there are now."""
        with transaction.atomic():
            list(Lot.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
            self.replace(list(self.owner.objects.values_list("pk", flat=True)))
        return self.model.objects.count()

    def differing(self) -> set[Key]:
        expected, actual = self.counted(None), self.kept()
        return {key for key in expected.keys() | actual.keys() if expected.get(key) != actual.get(key)}
