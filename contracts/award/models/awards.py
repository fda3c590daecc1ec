"""Award decisions with their standstill, lots not awarded, and direct awards with their justification,
evaluation and second-officer approval."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from commissioning.models import Area, Authority
from contracts.models import MONEY, Contract
from frameworks.evaluation import EvaluationAssignmentBase, ModeratedScoreBase, ScoreBase
from frameworks.models import Lot
from suppliers.models import Supplier

from .competitions import AwardCriterion, Competition, CompetitionLot, ContractTerms
from .tenders import CommitmentFields, Tender


class Award(models.Model):
    """The award decision for one lot: the winning response, the reasons, the ranking as it stood and
    the standstill before the contract is created."""

    competition = models.ForeignKey(Competition, on_delete=models.PROTECT, related_name="awards")
    lot = models.OneToOneField(CompetitionLot, on_delete=models.PROTECT, related_name="award")
    tender = models.OneToOneField(Tender, on_delete=models.PROTECT, related_name="award")
    annual_value = models.DecimalField(**MONEY)
    reasons = models.TextField()
    results = models.JSONField(default=list, help_text="The ranking with each response's points.")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    standstill_ends_on = models.DateField(null=True, blank=True)
    standstill_skipped_reason = models.TextField(blank=True)
    contract = models.OneToOneField(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="competition_award"
    )

    class Meta:
        ordering = ["competition", "lot__number"]

    def __str__(self) -> str:
        return f"Award of {self.competition.reference} lot {self.lot.number}"

    def standstill_over(self, today: date) -> bool:
        """Skipped (light-touch, with a reason), or begun with the contract award notice and run its course."""
        if self.standstill_skipped_reason:
            return True
        return self.standstill_ends_on is not None and today > self.standstill_ends_on


class NoAward(models.Model):
    """The decision not to award a lot: no response was good enough, or none was affordable. Its
    bidders are told why, and the competition's other lots go on to their awards."""

    competition = models.ForeignKey(Competition, on_delete=models.PROTECT, related_name="no_awards")
    lot = models.OneToOneField(CompetitionLot, on_delete=models.PROTECT, related_name="no_award")
    reasons = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["competition", "lot__number"]
        verbose_name = "lot not awarded"
        verbose_name_plural = "lots not awarded"

    def __str__(self) -> str:
        return f"No award of {self.competition.reference} lot {self.lot.number}"


class Justification(models.TextChoices):
    """Why a contract may be awarded without competition (Procurement Act 2023)."""

    PROTOTYPES = "prototypes", "Schedule 5: prototypes and development"
    ARTISTIC = "artistic", "Schedule 5: single supplier – a unique work of art or artistic performance"
    EXCLUSIVE_RIGHTS = (
        "exclusive_rights",
        "Schedule 5: single supplier – intellectual property or other exclusive rights, with no reasonable alternative",
    )
    TECHNICAL = (
        "technical",
        "Schedule 5: single supplier – no competition for technical reasons, with no reasonable alternative",
    )
    ADDITIONAL = "additional", "Schedule 5: additional goods, services or works from the existing supplier"
    REPEAT = "repeat", "Schedule 5: repeat services within five years of a competitively awarded contract"
    COMMODITIES = "commodities", "Schedule 5: commodities"
    INSOLVENCY = "insolvency", "Schedule 5: advantageous terms on insolvency"
    URGENCY = "urgency", "Schedule 5: extreme and unavoidable urgency"
    USER_CHOICE = "user_choice", "Schedule 5: user choice contracts"
    PROTECT_LIFE = (
        "protect_life",
        "Section 42: to protect life, health, public order or safety (under regulations made by a Minister of the "
        "Crown)",
    )
    SWITCHING = (
        "switching_s43",
        "Section 43: switching to direct award – the competitive tendering procedure received no suitable tenders or "
        "requests to participate",
    )
    FRAMEWORK_NO_COMPETITION = (
        "framework_s45_4",
        "Section 45(4): call-off from the framework without competition (one supplier on it, or core terms and an "
        "objective selection mechanism)",
    )


class DirectAward(ContractTerms, models.Model):
    """A contract awarded without competition: the justification and why it applies, requested by one
    officer and approved by another. Over the threshold its Social Value Proposal is scored and
    moderated before approval; approval creates the contract."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Awaiting approval"
        APPROVED = "approved", "Approved: contract created"
        REJECTED = "rejected", "Rejected"

    reference = models.CharField(max_length=50, unique=True, help_text="Also the reference of the contract it creates.")
    title = models.CharField("service", max_length=250)
    scope = models.TextField("scope of the service", blank=True)
    kind = models.CharField("contract or grant", max_length=20, choices=Contract.Kind.choices, default="contract")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="direct_awards")
    framework_lot = models.ForeignKey(
        Lot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="direct_awards",
        help_text="For a call-off from a framework: the lot the supplier is appointed to.",
    )
    areas = models.ManyToManyField(Area, blank=True, related_name="direct_awards")
    buying_authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="direct_awards")
    annual_value = models.DecimalField("annual value (excluding VAT)", **MONEY, validators=[MinValueValidator(0)])
    contract_start_on = models.DateField("contract start")
    term_months = models.PositiveSmallIntegerField(
        "initial term (months)", validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    extension_months = models.CharField("extension options (months)", max_length=50, blank=True)
    justification = models.CharField(max_length=30, choices=Justification.choices)
    explanation = models.TextField("why the justification applies")
    social_value_summary = models.TextField("Social Value Proposal", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    contract = models.OneToOneField(
        Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="direct_award_record"
    )

    class Meta:
        ordering = ["-requested_at", "reference"]
        indexes = [models.Index(fields=["-requested_at", "-id"], name="direct_award_newest_idx")]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def total_value(self) -> Decimal:
        """The value over the initial term, spread by financial year as the contract will record it."""
        from contracts.services import spread_annual_value

        return sum(
            spread_annual_value(self.contract_start_on, self.contract_end_on, self.annual_value).values(), Decimal(0)
        )


class DirectAwardCommitment(CommitmentFields):
    direct_award = models.ForeignKey(DirectAward, on_delete=models.CASCADE, related_name="commitments")

    class Meta:
        ordering = ["direct_award", "due_on", "pk"]


class DirectAwardAssignment(EvaluationAssignmentBase):
    """An evaluator of a direct award's Social Value Proposal."""

    direct_award = models.ForeignKey(DirectAward, on_delete=models.CASCADE, related_name="assignments")

    class Meta:
        ordering = ["assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["direct_award", "evaluator"], name="one_direct_award_assignment")
        ]

    def __str__(self) -> str:
        return f"Evaluation {self.pk} of direct award {self.direct_award_id}"


class DirectAwardScore(ScoreBase):
    assignment = models.ForeignKey(DirectAwardAssignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(AwardCriterion, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="one_direct_award_score_per_criterion")
        ]


class DirectAwardModeratedScore(ModeratedScoreBase):
    direct_award = models.ForeignKey(DirectAward, on_delete=models.CASCADE, related_name="moderated_scores")
    criterion = models.ForeignKey(AwardCriterion, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["direct_award", "criterion"], name="one_direct_award_moderation")
        ]
