"""Grant rounds, applications and decisions, agreement terms and payment schedules."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from commissioning.dates import financial_year_label, long_date
from commissioning.models import Authority, FundingStream
from suppliers.models import Supplier

MONEY = {"max_digits": 12, "decimal_places": 2}

__all__ = ["GrantRound", "GrantApplication", "GrantTerms", "GrantPayment"]


class GrantRoundQuerySet(models.QuerySet):
    def open_on(self, day: date) -> GrantRoundQuerySet:
        """Rounds taking applications on `day`: opened, and not closed (a rolling round never closes)."""
        return self.filter(Q(closes_on__isnull=True) | Q(closes_on__gte=day), opens_on__lte=day)


class GrantRound(models.Model):
    """A call for grant applications, e.g. the Police and Crime Grant to the five councils or a community
    action fund whose grants are awarded quarterly."""

    class Cadence(models.TextChoices):
        ONCE = "once", "Decided once, after the round closes"
        QUARTERLY = "quarterly", "Awarded quarterly (applications decided each quarter)"

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="grant_rounds")
    reference = models.CharField(max_length=50, unique=True)
    title = models.CharField(max_length=250)
    purpose = models.TextField(blank=True, help_text="What the grants are for.")
    stream = models.ForeignKey(
        FundingStream, on_delete=models.PROTECT, null=True, blank=True, related_name="grant_rounds"
    )
    budget = models.DecimalField(**MONEY, help_text="GBP available in the round.")
    cadence = models.CharField(max_length=20, choices=Cadence.choices, default=Cadence.ONCE)
    opens_on = models.DateField()
    closes_on = models.DateField(null=True, blank=True, help_text="Empty for a rolling round.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GrantRoundQuerySet.as_manager()

    class Meta:
        app_label = "contracts"
        ordering = ["-opens_on", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True) | Q(closes_on__gte=F("opens_on")), name="grant_round_closes_after"
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="grant_round_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def is_open_on(self, day: date) -> bool:
        """Taking applications on `day` (the same test as `GrantRound.objects.open_on`)."""
        return self.opens_on <= day and (self.closes_on is None or self.closes_on >= day)

    @property
    def is_rolling(self) -> bool:
        return self.closes_on is None


class GrantApplication(models.Model):
    # A supplier holds at most one application per round that is waiting for a decision or was awarded;
    # after a withdrawal or a decline it may apply again (a rolling round's next quarter, say).
    CURRENT = ("submitted", "awarded")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        AWARDED = "awarded", "Awarded"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    round = models.ForeignKey(GrantRound, on_delete=models.PROTECT, related_name="applications")
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="grant_applications"
    )
    recipient_authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grant_applications",
        help_text="When a council applies (e.g. the Police and Crime Grant).",
    )
    project = models.CharField(max_length=250)
    summary = models.TextField(blank=True)
    amount_requested = models.DecimalField(**MONEY)
    submitted_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    amount_awarded = models.DecimalField(**MONEY, null=True, blank=True)
    decision_period = models.CharField(
        max_length=20, blank=True, help_text="For a round awarded quarterly: the quarter it was decided in."
    )
    contract = models.OneToOneField(
        "contracts.Contract", on_delete=models.PROTECT, null=True, blank=True, related_name="grant_application"
    )

    class Meta:
        app_label = "contracts"
        ordering = ["round", "submitted_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(supplier__isnull=False) | Q(recipient_authority__isnull=False),
                name="grant_application_has_an_applicant",
            ),
            models.CheckConstraint(condition=Q(amount_requested__gte=0), name="grant_request_not_negative"),
            models.UniqueConstraint(
                fields=["round", "supplier"],
                condition=Q(status__in=["submitted", "awarded"]),
                name="one_current_grant_application_per_supplier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.applicant_name}: {self.project}"

    @property
    def reference(self) -> str:
        return f"GA-{self.pk:06d}" if self.pk else ""

    @property
    def applicant_name(self) -> str:
        if self.supplier_id:
            return self.supplier.legal_name
        return self.recipient_authority.name if self.recipient_authority_id else ""


class GrantTerms(models.Model):
    """What a grant agreement adds to its contract record: the conditions and how it is paid."""

    class Frequency(models.TextChoices):
        QUARTERLY = "quarterly", "Quarterly"
        ANNUALLY = "annually", "Annually"
        ONCE = "once", "In one payment"

    class Timing(models.TextChoices):
        ADVANCE = "advance", "In advance (at the start of each period)"
        ARREARS = "arrears", "In arrears (after each period, once its return is in)"

    contract = models.OneToOneField("contracts.Contract", on_delete=models.CASCADE, related_name="grant_terms")
    conditions = models.TextField(help_text="The conditions of grant the recipient agreed to.")
    frequency = models.CharField(max_length=20, choices=Frequency.choices, default=Frequency.QUARTERLY)
    timing = models.CharField(max_length=20, choices=Timing.choices, default=Timing.ADVANCE)

    class Meta:
        app_label = "contracts"
        verbose_name_plural = "grant terms"

    def __str__(self) -> str:
        return f"Grant terms of {self.contract.reference}"


class GrantPayment(models.Model):
    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="grant_payments")
    period_start = models.DateField()
    period_end = models.DateField()
    due_on = models.DateField()
    amount = models.DecimalField(**MONEY)
    paid_on = models.DateField(null=True, blank=True)

    class Meta:
        app_label = "contracts"
        ordering = ["contract", "due_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="grant_payment_not_negative")]
        indexes = [
            # The officers' queue of payments overdue, soonest due first, read from the unpaid ones alone: without
            # it SQLite read every contract of the authority to find none.
            models.Index(
                fields=["due_on", "id"], condition=Q(paid_on__isnull=True), name="grant_payment_outstanding_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference}: £{self.amount:,} due {long_date(self.due_on)}"

    def is_overdue_on(self, day: date) -> bool:
        return self.paid_on is None and self.due_on < day

    @property
    def financial_year_label(self) -> str:
        from commissioning.dates import financial_year_of

        return financial_year_label(financial_year_of(self.period_start))
