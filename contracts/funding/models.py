"""Co-commissioning: the authorities contributing to a contract or grant another authority leads, and
their contribution in each financial year. The contract's buying authority is its lead commissioner."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from commissioning.dates import financial_year_label
from commissioning.models import Authority, FundingStream
from contracts.models.values import OfAFinancialYear

__all__ = ["Contribution"]


class Contribution(OfAFinancialYear, models.Model):
    """What a contributing authority pays towards a contract or grant in one financial year (GBP,
    excluding VAT). It counts in the contributor's funding envelope, not the lead's."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="contributions")
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="contributions", verbose_name="contributing authority"
    )
    financial_year = models.PositiveSmallIntegerField(
        help_text="The calendar year the financial year starts in: 2018 means 2018/19."
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="GBP, excluding VAT.")
    stream = models.ForeignKey(
        FundingStream,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
        help_text="The contributing authority's funding stream it comes from, when known.",
    )

    class Meta:
        app_label = "contracts"
        ordering = ["contract", "financial_year", "authority__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "authority", "financial_year"], name="one_contribution_per_authority_year"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="contribution_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.authority} {financial_year_label(self.financial_year)}: £{self.amount:,}"
