"""RAG ratings against targets, the KPI templates of a lot and each contract's own indicators."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from contracts.models import Contract, SocialValueCommitment
from frameworks.models import Lot

from .breakdowns import BREAKDOWNS, Breakdown, validate_breakdown_keys

# RAG ----------------------------------------------------------------------------------------------------


class Rag(models.TextChoices):
    GREEN = "green", "Green: on target"
    AMBER = "amber", "Amber: near target"
    RED = "red", "Red: off target"
    NONE = "none", "No target"


RAG_TAG_CLASSES = {
    Rag.GREEN: "govuk-tag--green",
    Rag.AMBER: "govuk-tag--yellow",
    Rag.RED: "govuk-tag--red",
    Rag.NONE: "govuk-tag--grey",
}
RAG_COLOURS = {Rag.GREEN: "#00703c", Rag.AMBER: "#f47738", Rag.RED: "#d4351c", Rag.NONE: "#505a5f"}


def rag_for(value: Decimal | None, target: Decimal | None, margin: Decimal | None, direction: str) -> str:
    """Green at or beyond the target, amber short of it by no more than the margin, red beyond that.

    "Beyond" follows the direction: at or above a target where higher is better, at or below it where
    lower is better. The margin is in the indicator's own unit (referrals, percentage points, days, £).
    """
    if value is None or target is None:
        return Rag.NONE
    margin = margin or Decimal("0")
    if direction == Direction.LOWER:
        if value <= target:
            return Rag.GREEN
        return Rag.AMBER if value <= target + margin else Rag.RED
    if value >= target:
        return Rag.GREEN
    return Rag.AMBER if value >= target - margin else Rag.RED


# Templates ----------------------------------------------------------------------------------------------


class Question(models.TextChoices):
    """Results Based Accountability (seed 003), and the contract's social value commitments."""

    HOW_MUCH = "how_much", "How much did we do?"
    HOW_WELL = "how_well", "How well did we do it?"
    BETTER_OFF = "better_off", "Is anyone better off?"
    SOCIAL_VALUE = "social_value", "Social value commitments"


class Kind(models.TextChoices):
    """Seed 000: the template includes outcomes, outputs and inputs."""

    OUTCOME = "outcome", "Outcome"
    OUTPUT = "output", "Output"
    INPUT = "input", "Input"


class Unit(models.TextChoices):
    COUNT = "count", "Count"
    PERCENTAGE = "percentage", "Percentage"
    DAYS = "days", "Days"
    MONEY = "money", "£"


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class KPITemplate(models.Model):
    """The indicators every contract on a lot reports each quarter.

    Contracts without a lot (services commissioned outside a framework) use the one template marked
    as the default; if there is none, they report their social value commitments and narrative only.
    """

    name = models.CharField(max_length=200)
    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="kpi_template")
    is_default = models.BooleanField(
        "default for contracts without a lot",
        default=False,
        help_text="Used by contracts that were not called off a framework lot. Only one template can be it.",
    )
    description = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["lot__framework__reference", "lot__number", "name"]
        verbose_name = "KPI template"
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_kpi_template"
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(lot__isnull=True), name="default_kpi_template_has_no_lot"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorFields(models.Model):
    """What a template indicator and a contract's copy of it share."""

    order = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(max_length=20, help_text="Short and stable, for example REF or CONTACT48.")
    name = models.CharField(max_length=200)
    counted = models.CharField(
        "what is counted",
        max_length=100,
        blank=True,
        help_text="In the plural, for messages: 'referrals' in 'adds up to 219, 5 fewer than the 224 referrals'.",
    )
    guidance = models.TextField(blank=True, help_text="How to count it, shown beside the field.")
    question = models.CharField("RBA question", max_length=20, choices=Question.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    unit = models.CharField(max_length=12, choices=Unit.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    amber_margin = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text="How far short of the target is still amber, in the indicator's unit "
        "(percentage points for percentages).",
    )
    fraction_entry = models.BooleanField(
        "entered as numerator and denominator",
        default=False,
        help_text="Percentages only: providers give the two counts and the portal works out the percentage, "
        "so that percentages can be combined across providers.",
    )
    numerator_label = models.CharField(max_length=150, blank=True)
    denominator_label = models.CharField(max_length=150, blank=True)
    breakdowns = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_breakdown_keys],
        help_text="Counts only. Keys: " + ", ".join(BREAKDOWNS) + ".",
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        errors = {}
        if self.fraction_entry and self.unit != Unit.PERCENTAGE:
            errors["fraction_entry"] = "Only a percentage can be entered as a numerator and denominator"
        if self.fraction_entry and not (self.numerator_label and self.denominator_label):
            errors["numerator_label"] = "Name the numerator and the denominator"
        if self.breakdowns and self.unit != Unit.COUNT:
            errors["breakdowns"] = "Only a count can be broken down"
        if errors:
            raise ValidationError(errors)

    @property
    def is_fraction(self) -> bool:
        """A percentage the provider gives as two counts (numerator and denominator)."""
        return self.unit == Unit.PERCENTAGE and self.fraction_entry

    @property
    def unit_suffix(self) -> str:
        return {Unit.PERCENTAGE: "%", Unit.DAYS: " days"}.get(self.unit, "")

    @property
    def is_whole_number(self) -> bool:
        return self.unit == Unit.COUNT

    def format_value(self, value: Decimal | None) -> str:
        if value is None:
            return ""
        if self.unit == Unit.MONEY:
            return f"£{value:,.2f}".replace(".00", "")
        if value == value.to_integral_value():
            text = f"{int(value):,}"
        else:
            text = f"{value.quantize(Decimal('0.01')).normalize():f}"
        return f"{text}{self.unit_suffix}"

    @property
    def breakdown_list(self) -> list[Breakdown]:
        return [BREAKDOWNS[key] for key in self.breakdowns if key in BREAKDOWNS]

    @property
    def counted_noun(self) -> str:
        return self.counted or lower_first(self.name)


def lower_first(text: str) -> str:
    """'Referrals received' -> 'referrals received'; acronyms such as 'ISVA referrals' are kept."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


class Indicator(IndicatorFields):
    """One indicator of a KPI template, with its default target."""

    template = models.ForeignKey(KPITemplate, on_delete=models.CASCADE, related_name="indicators")
    default_target = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    source = models.CharField(
        max_length=200, blank=True, help_text="Where the measure comes from, for example 'Seed 004: KPIs'."
    )

    class Meta:
        ordering = ["template", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="unique_indicator_code")]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"


class ContractIndicator(IndicatorFields):
    """The contract's own copy of an indicator, with its own target, or one of its social value
    commitments. Copied when the set is made, so later changes to a template do not change the
    meaning of figures already reported."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="indicators")
    template_indicator = models.ForeignKey(
        Indicator, on_delete=models.SET_NULL, null=True, blank=True, related_name="contract_copies"
    )
    commitment = models.ForeignKey(
        SocialValueCommitment, on_delete=models.SET_NULL, null=True, blank=True, related_name="indicators"
    )
    target = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Each quarter's target; for a social value commitment, the total to reach by its due date.",
    )
    target_due_on = models.DateField(
        null=True, blank=True, help_text="Social value: the target is cumulative, to be reached by this date."
    )

    class Meta:
        ordering = ["contract", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "code"], name="unique_contract_indicator_code"),
            models.UniqueConstraint(
                fields=["contract", "commitment"],
                condition=Q(commitment__isnull=False),
                name="one_indicator_per_commitment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} {self.code}: {self.name}"

    @property
    def is_social_value(self) -> bool:
        return self.question == Question.SOCIAL_VALUE

    def expected_by(self, day: date) -> Decimal | None:
        """Social value: the share of the cumulative target due by `day`, pro rata from the start."""
        if self.target is None or self.target_due_on is None:
            return self.target
        start = self.contract.start_on
        if day >= self.target_due_on:
            return self.target
        if day < start:
            return Decimal("0")
        share = Decimal((day - start).days + 1) / Decimal((self.target_due_on - start).days + 1)
        return (self.target * share).quantize(Decimal("0.01"))
