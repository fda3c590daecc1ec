"""What a contract is worth in each financial year, and which funding streams pay for it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from commissioning.dates import financial_year_label
from commissioning.models import FundingStream

from .contract import Contract
from .terms import MONEY


class OfAFinancialYear:
    """A row about one financial year (`financial_year`, the calendar year it starts in): the year as
    people write it, '2025/26'."""

    financial_year: int

    @property
    def financial_year_label(self) -> str:
        return financial_year_label(self.financial_year)


class ContractYearValue(OfAFinancialYear, models.Model):
    """The contract's value in one financial year, excluding VAT."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="year_values")
    financial_year = models.PositiveSmallIntegerField(
        help_text="The calendar year the financial year starts in: 2025 means 2025/26."
    )
    amount = models.DecimalField(**MONEY, help_text="GBP, excluding VAT.")

    class Meta:
        # By the contract's key: by "contract" (its reference) joined the contract to every read.
        ordering = ["contract_id", "financial_year"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "financial_year"], name="one_value_per_contract_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="year_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{financial_year_label(self.financial_year)}: £{self.amount:,}"


class ContractFunding(OfAFinancialYear, models.Model):
    """How much of a financial year's value a funding stream pays for."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="funding")
    stream = models.ForeignKey(FundingStream, on_delete=models.PROTECT, related_name="contract_funding")
    financial_year = models.PositiveSmallIntegerField()
    amount = models.DecimalField(**MONEY, help_text="GBP")

    class Meta:
        ordering = ["contract", "financial_year", "stream__name"]
        verbose_name_plural = "contract funding"
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "stream", "financial_year"], name="one_funding_row_per_stream_year"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funding_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.stream} {financial_year_label(self.financial_year)}: £{self.amount:,}"
