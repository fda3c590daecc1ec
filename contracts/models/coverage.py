"""The coverage matrix's contract tallies: how many live contracts on a lot cover an area, by the dates they
run (kept by `contracts.coverage_tallies`)."""

from __future__ import annotations

from django.db import models

from commissioning.models import Area
from frameworks.models import Lot


class LiveContractTally(models.Model):
    """How many contracts on `lot` that have gone live cover `area`, starting on `starts_on` and running to
    `ends_on` (the effective end: the termination date, else the current end). Whether they are in force on
    a day is decided by the dates when the matrix is read, so the tallies change only when a contract does:
    the contracts services recount a lot's whenever one of its contracts goes live, is extended, varied,
    terminated or moved. Rows are as many as the different terms on a lot, not as many as the contracts."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()
    contracts = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lot", "area", "starts_on", "ends_on"], name="one_live_contract_tally"),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id}/{self.area_id} {self.starts_on}–{self.ends_on}: {self.contracts}"


class ContractTermTally(models.Model):
    """How many contracts on `lot` that have gone live start on `starts_on` and run to `ends_on` (the effective
    end), whatever areas they cover: the returns dashboard adds up the rows of a lot whose term meets the
    quarter to know how many of its returns are due, where counting the contracts in force read every one
    of them. Recounted with `LiveContractTally`, by the same services."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()
    contracts = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lot", "starts_on", "ends_on"], name="one_contract_term_tally"),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} {self.starts_on}–{self.ends_on}: {self.contracts}"
