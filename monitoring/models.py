"""Quarterly performance monitoring: KPI templates per lot, each contract's own indicator set, return
periods (financial-year quarters), quarterly returns with their figures, breakdowns and narrative, the
officer's reviews, and RAG ratings against targets.

Models hold fields, constraints and cheap derived values. Every write and lifecycle move is in
`services.py`; reads that cross relations are in `selectors.py`.

Returns carry aggregate figures only. Nothing here holds a victim's name, date of birth, address or
case reference, and the forms say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commissioning.dates import Quarter, financial_year_label
from contracts.models import Contract, SocialValueCommitment
from frameworks.models import Lot

# Breakdowns -------------------------------------------------------------------------------------------

NOT_KNOWN = ("not_known", "Not known")


@dataclass(frozen=True)
class Breakdown:
    """A way of splitting a count: its categories always include "Not known"."""

    key: str
    label: str
    categories: tuple[tuple[str, str], ...]


BREAKDOWNS: dict[str, Breakdown] = {
    b.key: b
    for b in [
        Breakdown(
            "referral_source",
            "Referral source",
            (
                # Seed 003's referral sources, and the SARC (seed 003) for sexual violence services.
                ("police", "Police"),
                ("self", "Self-referral"),
                ("marac", "MARAC"),
                ("statutory", "Statutory services (safeguarding and social care)"),
                ("local_authority", "Local authority (housing and other services)"),
                ("health", "Health services"),
                ("sarc", "Sexual assault referral centre (SARC)"),
                ("specialist", "Other specialist providers"),
                ("other", "Other"),
                NOT_KNOWN,
            ),
        ),
        Breakdown(
            "crime_type",
            "Crime type",
            (
                ("domestic_abuse", "Domestic abuse, including coercive control"),
                ("rape", "Rape"),
                ("sexual_assault", "Other sexual offences"),
                ("non_recent_csa", "Non-recent child sexual abuse"),
                ("stalking", "Stalking and harassment"),
                ("honour", "Honour-based abuse and forced marriage"),
                ("other", "Other"),
                NOT_KNOWN,
            ),
        ),
        Breakdown(
            "age_band",
            "Age band",
            (
                ("under_16", "Under 16"),
                ("16_17", "16 to 17"),
                ("18_24", "18 to 24"),
                ("25_34", "25 to 34"),
                ("35_44", "35 to 44"),
                ("45_54", "45 to 54"),
                ("55_64", "55 to 64"),
                ("65_plus", "65 and over"),
                NOT_KNOWN,
            ),
        ),
        Breakdown(
            "gender",
            "Gender",
            (
                ("woman", "Woman or girl"),
                ("man", "Man or boy"),
                ("non_binary", "Non-binary"),
                ("another", "Describes their gender another way"),
                ("not_said", "Prefers not to say"),
                NOT_KNOWN,
            ),
        ),
        Breakdown(
            "ethnicity",
            "Ethnicity",
            (
                ("asian", "Asian or Asian British"),
                ("black", "Black, Black British, Caribbean or African"),
                ("mixed", "Mixed or multiple ethnic groups"),
                ("white", "White"),
                ("other", "Other ethnic group"),
                ("not_said", "Prefers not to say"),
                NOT_KNOWN,
            ),
        ),
        Breakdown(
            "sexual_orientation",
            "Sexual orientation",
            (
                ("heterosexual", "Heterosexual or straight"),
                ("gay_lesbian", "Gay or lesbian"),
                ("bisexual", "Bisexual"),
                ("other", "Another sexual orientation"),
                ("not_said", "Prefers not to say"),
                NOT_KNOWN,
            ),
        ),
        Breakdown(
            "disability",
            "Disability",
            (
                ("disabled", "Disabled"),
                ("not_disabled", "Not disabled"),
                ("not_said", "Prefers not to say"),
                NOT_KNOWN,
            ),
        ),
        # The areas are the contract's own (or every area when it names none), then "Not known".
        Breakdown("area", "Area", (NOT_KNOWN,)),
    ]
}
BREAKDOWN_CHOICES = [(b.key, b.label) for b in BREAKDOWNS.values()]


def validate_breakdown_keys(value) -> None:
    if not isinstance(value, list) or any(key not in BREAKDOWNS for key in value):
        raise ValidationError("Choose breakdowns from: " + ", ".join(BREAKDOWNS), code="invalid_breakdown")


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

    class Meta:
        ordering = ["-period__financial_year", "-period__quarter", "contract__reference"]
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


from .tally_models import ReturnTally as ReturnTally  # noqa: E402 - its own module, loaded with the app's models
