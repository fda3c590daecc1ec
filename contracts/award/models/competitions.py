"""Competitions (mini-competitions among appointees of a framework lot, and open expressions of interest),
their lots, combined limits, award criteria, invitations and clarification questions. Fields, constraints
and cheap derived values only; every move is in the award services. Money is GBP excluding VAT; the
estimated value of a competition is a total over the initial term."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from commissioning.models import Area, Authority
from contracts.models import MONEY, term_end
from frameworks.models import Lot
from suppliers.models import Supplier


def parse_months(text: str) -> list[int]:
    """'12, 12' -> [12, 12]: the extension options of a term, in months (forms check them first with
    `commissioning.forms.whole_numbers`; anything else here is left out)."""
    return [
        int(part)
        for part in (text or "").replace(" ", "").split(",")
        if re.fullmatch(r"[0-9]{1,3}", part) and int(part) > 0
    ]


def describe_term(months: int, extensions: list[int]) -> str:
    """36 and [12, 12] -> '3 years + 1 year + 1 year'."""

    def one(m: int) -> str:
        if m % 12 == 0:
            return f"{m // 12} year{'s' if m != 12 else ''}"
        return f"{m} month{'s' if m != 1 else ''}"

    return " + ".join([one(months), *(one(m) for m in extensions)])


class ContractTerms:
    """The terms of the contract a competition or direct award offers, from its `term_months`,
    `extension_months` (e.g. "12, 12") and `contract_start_on`."""

    @property
    def extension_list(self) -> list[int]:
        return parse_months(self.extension_months)

    @property
    def term_description(self) -> str:
        return describe_term(self.term_months, self.extension_list)

    @property
    def contract_end_on(self) -> date:
        return term_end(self.contract_start_on, self.term_months)


def specification_path(instance, filename: str) -> str:
    return f"competitions/{instance.pk or 'new'}/{filename}"


class Competition(ContractTerms, models.Model):
    """A call-off competition among a lot's appointees, or an expression of interest open to any
    registered supplier (seed 002). Its responses are sealed until the closing time and opened by
    two officers."""

    class Kind(models.TextChoices):
        MINI_COMPETITION = "mini_competition", "Mini-competition among appointed providers"
        EXPRESSION_OF_INTEREST = "expression_of_interest", "Expression of interest open to any provider"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CLOSED = "closed", "Closed: responses opened"
        EVALUATED = "evaluated", "Evaluated"
        AWARDED = "awarded", "Awarded: standstill"
        CONTRACTED = "contracted", "Contracted"
        CANCELLED = "cancelled", "Cancelled"

    class PriceFormula(models.TextChoices):
        LOWEST_PRICE = "lowest_price", "Lowest price ÷ this price × the marks available for price"

    reference = models.CharField(max_length=50, unique=True)
    title = models.CharField(max_length=250)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    description = models.TextField("what is being bought", blank=True)
    buying_authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="competitions")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_competitions",
        help_text="The officer running it; only they can move the closing time.",
    )
    framework_lot = models.ForeignKey(
        Lot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="competitions",
        help_text="For a mini-competition: the framework lot whose appointees may bid.",
    )
    areas = models.ManyToManyField(Area, blank=True, related_name="competitions")
    estimated_value = models.DecimalField(
        "estimated total value (excluding VAT)", **MONEY, validators=[MinValueValidator(0)]
    )
    contract_start_on = models.DateField("expected contract start")
    term_months = models.PositiveSmallIntegerField(
        "initial term (months)", validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    extension_months = models.CharField(
        "extension options (months)", max_length=50, blank=True, help_text="For example 12,12 for two one-year options."
    )
    interviews = models.TextField("interviews and visits", blank=True)
    is_light_touch = models.BooleanField(
        "light-touch award", default=True, help_text="Light-touch awards may skip the standstill with a reason."
    )
    price_formula = models.CharField(max_length=20, choices=PriceFormula.choices, default=PriceFormula.LOWEST_PRICE)
    requires_budget_template = models.BooleanField("a budget template must be uploaded", default=False)
    specification = models.FileField(upload_to=specification_path, blank=True)
    specification_name = models.CharField(max_length=255, blank=True)
    specification_sha256 = models.CharField(max_length=64, blank=True)
    clarification_deadline = models.DateTimeField(help_text="Questions are refused at or after this moment.")
    closes_at = models.DateTimeField("closing time", help_text="Responses are refused at or after this moment.")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opening_requested_at = models.DateTimeField(null=True, blank=True)
    opening_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField("responses opened at", null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The second officer, who confirmed the opening.",
    )
    evaluated_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancellation_reason = models.TextField(blank=True)
    # Bringing the closing time forward: the owner proposes, a second, established officer confirms.
    proposed_closes_at = models.DateTimeField("proposed earlier closing time", null=True, blank=True)
    closing_change_reason = models.TextField(blank=True)
    closing_change_proposed_at = models.DateTimeField(null=True, blank=True)
    closing_change_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The data key that seals its tenders, wrapped by the key-encryption key `sealing_key_id`.
    sealing_key_id = models.CharField(max_length=40, blank=True, editable=False)
    sealing_key = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-closes_at", "reference"]
        # The officers' list, newest first, a page at a time (keyset pagination).
        indexes = [models.Index(fields=["-created_at", "-id"], name="competition_newest_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(clarification_deadline__lte=F("closes_at")),
                name="competition_questions_close_before_responses",
            ),
            models.CheckConstraint(
                condition=Q(opened_at__isnull=True) | Q(opened_at__gte=F("closes_at")),
                name="competition_opened_after_closing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def is_mini_competition(self) -> bool:
        return self.kind == self.Kind.MINI_COMPETITION

    @property
    def is_sealed(self) -> bool:
        """Responses stay sealed until two officers have opened them, after the closing time."""
        return self.opened_at is None

    def has_closed(self, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.closes_at

    def is_open(self, now: datetime | None = None) -> bool:
        return self.status == self.Status.PUBLISHED and not self.has_closed(now)

    def questions_open(self, now: datetime | None = None) -> bool:
        return self.status == self.Status.PUBLISHED and (now or timezone.now()) < self.clarification_deadline

    @property
    def whole_life(self):
        """The estimated value over the initial term and every extension option, excluding VAT."""
        from contracts.whole_life import from_estimate

        return from_estimate(self.estimated_value, self.term_months, self.extension_list)

    @property
    def social_value_required(self) -> bool:
        """Over the threshold (whole-life estimated value including extension options, excluding VAT) a
        Social Value Proposal is required and social value carries at least the minimum weight."""
        return self.estimated_value is not None and self.whole_life.amount > settings.SOCIAL_VALUE_THRESHOLD

    def state_label(self, now: datetime | None = None) -> str:
        if self.status == self.Status.PUBLISHED and self.has_closed(now):
            return (
                "Closed: waiting to be opened"
                if self.opening_requested_at is None
                else "Opening: needs a second officer"
            )
        if self.status == self.Status.PUBLISHED:
            return "Open for responses"
        return self.get_status_display()


class CompetitionLot(models.Model):
    """A lot of a competition: the framework lot of a mini-competition, or an expression of interest's
    own lots (seed 002), each with a minimum and maximum annual bid."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    min_annual_bid = models.DecimalField("minimum annual bid", **MONEY, null=True, blank=True)
    max_annual_bid = models.DecimalField("maximum annual bid", **MONEY, null=True, blank=True)

    class Meta:
        ordering = ["competition", "number"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "number"], name="one_competition_lot_per_number"),
            models.CheckConstraint(
                condition=Q(min_annual_bid__isnull=True)
                | Q(max_annual_bid__isnull=True)
                | Q(min_annual_bid__lte=F("max_annual_bid")),
                name="competition_lot_min_not_above_max",
            ),
        ]

    def __str__(self) -> str:
        return f"Lot {self.number}: {self.title}"


class CombinedLimit(models.Model):
    """Bounds on one supplier's bids for several lots taken together: seed 002's Lots 1 and 2 together
    between £300,000 and £1,000,000 a year."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="combined_limits")
    lots = models.ManyToManyField(CompetitionLot, related_name="combined_limits")
    min_total = models.DecimalField("combined minimum a year", **MONEY, null=True, blank=True)
    max_total = models.DecimalField("combined maximum a year", **MONEY, null=True, blank=True)

    class Meta:
        ordering = ["competition", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_total__isnull=True) | Q(max_total__isnull=True) | Q(min_total__lte=F("max_total")),
                name="combined_limit_min_not_above_max",
            )
        ]

    def __str__(self) -> str:
        return f"Combined limit {self.pk} of {self.competition_id}"

    @staticmethod
    def label_for(numbers: list[int]) -> str:
        numbers = sorted(numbers)
        if len(numbers) == 1:
            return f"Lot {numbers[0]}"
        return "Lots " + ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"


class AwardCriterion(models.Model):
    """An award criterion with its weight (%): a quality question, price, or social value. A direct
    award has one social value criterion, scored and moderated the same way."""

    class Kind(models.TextChoices):
        QUALITY = "quality", "Quality"
        PRICE = "price", "Price"
        SOCIAL_VALUE = "social_value", "Social value"

    competition = models.ForeignKey(
        Competition, on_delete=models.CASCADE, null=True, blank=True, related_name="criteria"
    )
    direct_award = models.ForeignKey(
        "DirectAward", on_delete=models.CASCADE, null=True, blank=True, related_name="criteria"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    question = models.TextField("question for bidders", blank=True)
    guidance = models.TextField("guidance for evaluators", blank=True)
    weight = models.PositiveSmallIntegerField("weight (%)", validators=[MaxValueValidator(100)])
    max_score = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(10)], help_text="Marks run from 0 to this."
    )
    word_limit = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(competition__isnull=False) & Q(direct_award__isnull=True))
                | (Q(competition__isnull=True) & Q(direct_award__isnull=False)),
                name="criterion_belongs_to_one_award",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.weight}%)"

    @property
    def is_scored(self) -> bool:
        """Evaluators mark quality and social value; price is scored by the stated formula."""
        return self.kind != self.Kind.PRICE

    @property
    def is_price(self) -> bool:
        return self.kind == self.Kind.PRICE

    @property
    def is_social_value(self) -> bool:
        return self.kind == self.Kind.SOCIAL_VALUE


class CompetitionInvitation(models.Model):
    """A supplier invited to a mini-competition when it was published: the recorded invited set."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="invitations")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="competition_invitations")
    invited_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["competition", "supplier__legal_name"]
        constraints = [models.UniqueConstraint(fields=["competition", "supplier"], name="one_invitation_per_supplier")]

    def __str__(self) -> str:
        return f"{self.supplier} invited to {self.competition.reference}"


class ClarificationQuestion(models.Model):
    """A bidder's question. The answer is published to every bidder, without the asker's name."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="questions")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    question = models.TextField()
    published_question = models.TextField(
        "question as published", blank=True, help_text="Reworded if needed so that it does not identify the asker."
    )
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField("published at", null=True, blank=True)

    class Meta:
        ordering = ["competition", "asked_at", "pk"]

    def __str__(self) -> str:
        return f"Clarification {self.pk} on {self.competition.reference}"

    @property
    def is_published(self) -> bool:
        return self.answered_at is not None
