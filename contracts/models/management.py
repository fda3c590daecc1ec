"""Managing a contract once it is let: the provider's Social Value Proposal and commitments, contract
management meetings and their actions, and the recommissioning milestones."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from commissioning.dates import financial_year_label, long_date

from .contract import Contract


class SocialValueProposal(models.Model):
    """The provider's Social Value Proposal; required (and accepted) over the threshold."""

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="social_value_proposal")
    summary = models.TextField()
    received_on = models.DateField(null=True, blank=True)
    score = models.DecimalField(
        "moderated score (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Social Value Proposal for {self.contract.reference}"

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None


class SocialValueCommitment(models.Model):
    """A commitment the provider reports on in quarterly returns."""

    class Theme(models.TextChoices):
        JOBS = "jobs", "Jobs: local skills and employment"
        GROWTH = "growth", "Growth: responsible local business"
        SOCIAL = "social", "Social: healthier, safer and more resilient communities"
        ENVIRONMENT = "environment", "Environment: protecting and improving it"
        INNOVATION = "innovation", "Innovation: social innovation"

    proposal = models.ForeignKey(SocialValueProposal, on_delete=models.CASCADE, related_name="commitments")
    theme = models.CharField(max_length=20, choices=Theme.choices)
    measure = models.CharField(max_length=250)
    unit = models.CharField(max_length=50, help_text="For example: hours, people, £.")
    target = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    due_on = models.DateField()

    class Meta:
        ordering = ["proposal", "due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.measure}: {self.target} {self.unit} by {long_date(self.due_on)}"


class ContractMeeting(models.Model):
    """A contract management meeting; quarterly ones are generated over the term."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField("date")
    financial_year = models.PositiveSmallIntegerField(null=True, blank=True)
    quarter = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    attendees = models.TextField(blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["contract", "held_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "financial_year", "quarter"],
                condition=Q(quarter__isnull=False),
                name="one_quarterly_meeting_per_quarter",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} meeting on {long_date(self.held_on)}"

    @property
    def period_label(self) -> str:
        if self.quarter is None or self.financial_year is None:
            return "Additional meeting"
        return f"{financial_year_label(self.financial_year)} Q{self.quarter}"


class MeetingAction(models.Model):
    """An action agreed at a meeting; the provider may mark their contract's actions done."""

    meeting = models.ForeignKey(ContractMeeting, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=150, help_text="Who will do it.")
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "due_on", "pk"]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class Milestone(models.Model):
    """A step on the recommissioning timeline of the service a contract delivers."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(max_length=200)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["contract", "due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.due_on:%B %Y})"

    @property
    def is_done(self) -> bool:
        return self.done_on is not None
