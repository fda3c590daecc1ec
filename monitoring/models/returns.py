"""Return periods (financial-year quarters), quarterly returns, their figures and the officer's reviews."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commissioning.dates import Quarter, financial_year_label
from contracts.models import Contract

from .indicators import ContractIndicator

# Periods and returns ------------------------------------------------------------------------------------


class ReturnPeriod(models.Model):
    """A financial-year quarter (Q1 Apr–Jun … Q4 Jan–Mar) and when its returns are due."""

    financial_year = models.PositiveSmallIntegerField(
        help_text="The calendar year the financial year starts in: 2025 means 2025/26."
    )
    quarter = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    starts_on = models.DateField()
    ends_on = models.DateField()
    due_on = models.DateField(help_text="The last day of the month after the quarter, unless agreed otherwise.")

    class Meta:
        ordering = ["financial_year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["financial_year", "quarter"], name="one_period_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="quarter_1_to_4"),
            models.CheckConstraint(condition=Q(due_on__gt=models.F("ends_on")), name="period_due_after_it_ends"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def as_quarter(self) -> Quarter:
        return Quarter(self.financial_year, self.quarter)

    @property
    def label(self) -> str:
        return self.as_quarter.label

    @property
    def months_label(self) -> str:
        return f"{self.starts_on:%B} to {self.ends_on:%B %Y}"

    @classmethod
    def for_quarter(cls, quarter: Quarter) -> ReturnPeriod:
        period, _ = cls.objects.get_or_create(
            financial_year=quarter.financial_year,
            quarter=quarter.number,
            defaults={"starts_on": quarter.start, "ends_on": quarter.end, "due_on": quarter.return_due},
        )
        return period


def return_document_path(instance: QuarterlyReturn, filename: str) -> str:
    period = instance.period
    return f"monitoring/returns/{instance.contract_id}/{period.financial_year}-q{period.quarter}/{filename}"


NOT_STARTED = "not_started"
NOT_STARTED_LABEL = "Not started"


class Timeliness(models.TextChoices):
    NOT_DUE = "not_due", "Not yet due"
    ON_TIME = "on_time", "On time"
    LATE = "late", "Late"
    OVERDUE = "overdue", "Overdue"


def timeliness(*, due_on: date, submitted_at, today: date) -> str:
    """On time or late by the date it was first submitted (UK time); overdue while unsent after the due date."""
    if submitted_at is not None:
        return Timeliness.LATE if timezone.localdate(submitted_at) > due_on else Timeliness.ON_TIME
    return Timeliness.OVERDUE if today > due_on else Timeliness.NOT_DUE


class QuarterlyReturnQuerySet(models.QuerySet):
    def of_quarter(self, quarter: Quarter, contracts) -> QuarterlyReturnQuerySet:
        """These contracts' returns for the quarter (at most one each)."""
        return self.filter(
            contract__in=[c.pk for c in contracts],
            period__financial_year=quarter.financial_year,
            period__quarter=quarter.number,
        )


class QuarterlyReturn(models.Model):
    """A provider's return for one contract and one quarter.

    Lifecycle (enforced in services): not started (no row yet) → draft → submitted → accepted, or
    returned for amendment → resubmitted → accepted (or returned again).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned for amendment"
        RESUBMITTED = "resubmitted", "Resubmitted"
        ACCEPTED = "accepted", "Accepted"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="returns")
    period = models.ForeignKey(ReturnPeriod, on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    due_on = models.DateField(help_text="From the period, unless another date was agreed with the provider.")
    achievements = models.TextField(blank=True)
    challenges = models.TextField(blank=True)
    risks = models.TextField(blank=True)
    emerging_themes = models.TextField("emerging themes", blank=True)
    case_study = models.TextField("case study", blank=True)
    document = models.FileField("supporting document", upload_to=return_document_path, blank=True)
    document_name = models.CharField(max_length=255, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(
        "first submitted at", null=True, blank=True, help_text="Decides whether the return was late."
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = QuarterlyReturnQuerySet.as_manager()

    class Meta:
        ordering = ["-period__financial_year", "-period__quarter", "contract__reference"]
        indexes = [
            # The officers' "Returns to review" queue, oldest sent first: only the returns waiting are in it.
            models.Index(
                fields=["last_submitted_at", "submitted_at", "id"],
                condition=Q(status__in=["submitted", "resubmitted"]),
                name="return_awaiting_review_idx",
            ),
            # Overdue returns: a quarter's returns, by contract, with what decides whether each was sent in
            # time, read from the index alone (the anti-join of contracts in force against them).
            models.Index(
                fields=["period", "contract"], include=["submitted_at", "due_on"], name="return_period_contract_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["contract", "period"], name="one_return_per_contract_period"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False), name="sent_returns_have_a_submission"
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(accepted_at__isnull=False), name="accepted_returns_have_a_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} {self.period.label}"

    @property
    def is_editable(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.RETURNED}

    @property
    def is_awaiting_review(self) -> bool:
        return self.status in {self.Status.SUBMITTED, self.Status.RESUBMITTED}

    def timeliness_on(self, today: date) -> str:
        return timeliness(due_on=self.due_on, submitted_at=self.submitted_at, today=today)

    @property
    def is_late(self) -> bool:
        return self.timeliness_on(timezone.localdate()) == Timeliness.LATE

    def is_overdue_on(self, today: date) -> bool:
        return self.timeliness_on(today) == Timeliness.OVERDUE

    @property
    def period_label(self) -> str:
        return self.period.label

    @property
    def financial_year_label(self) -> str:
        return financial_year_label(self.period.financial_year)


class ReturnValue(models.Model):
    """One indicator's figure in one return, with its breakdowns (aggregate counts only)."""

    quarterly_return = models.ForeignKey(QuarterlyReturn, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(ContractIndicator, on_delete=models.PROTECT, related_name="values")
    value = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="For a percentage from counts: worked out."
    )
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    breakdowns = models.JSONField(default=dict, blank=True, help_text="{breakdown: {category: count}}")

    class Meta:
        ordering = ["quarterly_return", "indicator__order", "indicator__pk"]
        constraints = [
            models.UniqueConstraint(fields=["quarterly_return", "indicator"], name="one_value_per_indicator"),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True)
                | Q(denominator__isnull=True)
                | Q(numerator__lte=models.F("denominator")),
                name="numerator_not_over_denominator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} = {self.value}"


class ReturnReview(models.Model):
    """An officer's decision on a submitted return: accepted, or returned with comments."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        RETURNED = "returned", "Returned for amendment"

    quarterly_return = models.ForeignKey(QuarterlyReturn, on_delete=models.CASCADE, related_name="reviews")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comments = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["quarterly_return", "decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.quarterly_return}: {self.get_decision_display()}"
