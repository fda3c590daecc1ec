"""The returns dashboard's tallies: how many of a quarter's returns are in each status, per lot, kept up to
date by the monitoring services as returns move (`monitoring.tallies`), so the dashboard reads a few dozen
rows a quarter instead of counting every return."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from frameworks.models import Lot


class ReturnTally(models.Model):
    """How many returns of `period` for contracts on `lot` (none: contracts without a lot) are in `status`,
    submitted on time or late or not yet (`sent`), with `due_on` as their due date. The due date is kept
    because whether an unsent return is overdue depends on the day the dashboard is read."""

    class Sent(models.TextChoices):
        ON_TIME = "on_time", "On time"
        LATE = "late", "Late"
        UNSENT = "unsent", "Not sent yet"

    period = models.ForeignKey("monitoring.ReturnPeriod", on_delete=models.CASCADE, related_name="tallies")
    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=12)
    sent = models.CharField(max_length=8, choices=Sent.choices)
    due_on = models.DateField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "lot", "status", "sent", "due_on"],
                condition=Q(lot__isnull=False),
                name="one_tally_per_lot_state",
            ),
            models.UniqueConstraint(
                fields=["period", "status", "sent", "due_on"],
                condition=Q(lot__isnull=True),
                name="one_tally_per_state_without_lot",
            ),
            models.CheckConstraint(condition=Q(count__gte=0), name="tally_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.period_id}/{self.lot_id}/{self.status}/{self.sent}: {self.count}"
