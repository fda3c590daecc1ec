"""An authority's funding streams and their yearly allocations."""

from __future__ import annotations

from django.db import models

from .organisations import Authority


class FundingStream(models.Model):
    """A source of money for services in one authority's budget, e.g. the MoJ core victims grant or an
    NHS England contribution. Its allocations say how much it provides in each financial year."""

    class Kind(models.TextChoices):
        MOJ_CORE = "moj_core", "Ministry of Justice core victims grant"
        ISVA_IDVA = "isva_idva", "Ring-fenced ISVA and IDVA funding"
        CHILD_SEXUAL_ABUSE = "child_sexual_abuse", "Child sexual abuse funding (ring-fenced)"
        PCC_CORE = "pcc_core", "PCC core budget"
        PARTNER = "partner", "Partner contribution"
        NHS_ENGLAND = "nhs_england", "NHS England"
        HOME_OFFICE = "home_office", "Home Office grant"
        OTHER = "other", "Other funding"

    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_streams",
        help_text="Whose budget the money is in. Its officers manage the stream and its allocations.",
    )
    name = models.CharField(max_length=200)
    kind = models.CharField("type of funding", max_length=30, choices=Kind.choices, default=Kind.OTHER)
    funder = models.CharField(max_length=200, blank=True, help_text="Who provides it, e.g. Ministry of Justice.")
    is_ring_fenced = models.BooleanField(default=False, help_text="May only be spent on a named purpose.")
    ring_fence_purpose = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "name"], name="one_stream_name_per_authority"),
        ]

    def __str__(self) -> str:
        return self.name


class FundingAllocation(models.Model):
    """How much a funding stream provides in one financial year (1 April to 31 March)."""

    stream = models.ForeignKey(FundingStream, on_delete=models.CASCADE, related_name="allocations")
    financial_year = models.PositiveSmallIntegerField(
        help_text="The calendar year the financial year starts in: 2025 means 2025/26."
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="GBP")

    class Meta:
        ordering = ["stream__name", "financial_year"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "financial_year"], name="one_allocation_per_stream_year"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="allocation_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.stream} {self.financial_year}/{(self.financial_year + 1) % 100:02d}: £{self.amount:,}"
