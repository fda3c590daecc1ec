"""The contract itself (with its queryset of derived statuses and values), its extension options, the
extensions exercised and the variations recorded against it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.models import HistoricalRecords

from commissioning.dates import financial_year_label, financial_year_of, long_date
from commissioning.models import Area, Authority
from commissioning.rules import Through, authority_condition, reading_exists, reading_for_filter
from frameworks.models import Lot
from suppliers.models import Supplier

from .terms import (
    LONGEST_NOTICE_MONTHS,
    MONEY,
    ZERO,
    MonthsBefore,
    extended_end,
    final_period_horizon,
    months_before,
    term_end,
)


class ContractQuerySet(models.QuerySet):
    def with_effective_end(self):
        return self.annotate(effective_end=Coalesce(F("terminated_on"), F("current_end_on")))

    def with_next_decision(self):
        """Annotate `decision_on` (`Contract.next_extension_decision_on`, worked out by the database) and
        `reaches_on`: the decision date, else the effective end. Lists can then filter and order by them
        without loading each contract's options."""
        option_left = ExtensionOption.objects.filter(contract=OuterRef("pk"), exercised__isnull=True)
        return (
            self.with_effective_end()
            .annotate(
                decision_on=Case(
                    When(
                        Q(terminated_on__isnull=True) & Exists(option_left),
                        then=MonthsBefore(F("current_end_on"), F("extension_notice_months")),
                    ),
                    default=None,
                    output_field=models.DateField(),
                )
            )
            .annotate(reaches_on=Coalesce("decision_on", "effective_end"))
        )

    def with_status(self, status: str, today: date):
        """Contracts whose derived status on `today` is `status`, decided in the database."""
        qs = self.with_effective_end()
        activated = Q(activated_at__isnull=False)
        horizon = final_period_horizon(today)
        if status == Contract.Status.DRAFT:
            return qs.filter(activated_at__isnull=True)
        if status == Contract.Status.TERMINATED:
            return qs.filter(activated, terminated_on__isnull=False, terminated_on__lt=today)
        if status == Contract.Status.ENDED:
            return qs.filter(activated, terminated_on__isnull=True, current_end_on__lt=today)
        if status == Contract.Status.FINAL_SIX_MONTHS:
            return qs.filter(activated, effective_end__gte=today, effective_end__lt=horizon)
        if status == Contract.Status.LIVE:
            return qs.filter(activated, effective_end__gte=horizon)
        raise ValueError(f"Unknown contract status {status!r}")

    def in_force_on(self, day: date):
        """Live (or in the final six months) on `day`: gone live, started, not yet ended."""
        return self.with_effective_end().filter(activated_at__isnull=False, start_on__lte=day, effective_end__gte=day)

    def in_force_during(self, first: date, last: date):
        """Gone live and in force on at least one day between `first` and `last`."""
        return self.with_effective_end().filter(
            activated_at__isnull=False, start_on__lte=last, effective_end__gte=first
        )

    def with_values(self, financial_year: int):
        """Annotate `total_value` (all years) and `year_value` (the given financial year)."""
        from .values import ContractYearValue  # defined beside the contract, which it points at

        totals = (
            ContractYearValue.objects.filter(contract=OuterRef("pk"))
            .order_by()
            .values("contract")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        # Unordered: one row a contract and year (`one_value_per_contract_year`), and the model's default order
        # would join the contract again for each row of the list.
        year = ContractYearValue.objects.filter(contract=OuterRef("pk"), financial_year=financial_year).order_by()
        return self.annotate(
            total_value=Coalesce(Subquery(totals), Value(ZERO), output_field=models.DecimalField(**MONEY)),
            year_value=Subquery(year.values("amount")[:1], output_field=models.DecimalField(**MONEY)),
        )

    def for_supplier(self, supplier: Supplier):
        return self.filter(supplier=supplier)

    def involving_authority(self, authority: Authority | int):
        """Contracts and grants the authority leads (buys) or contributes to as a co-commissioner."""
        from contracts.funding.models import Contribution  # co-commissioning, loaded after the register

        pk = authority.pk if isinstance(authority, Authority) else authority
        involved = Contribution.objects.filter(authority_id=pk).values("contract_id")
        return self.filter(Q(buying_authority_id=pk) | Q(pk__in=involved))

    def for_authority(self, authority_id: int | None):
        """What an authority's officers read: what it buys or co-commissions, and the call-offs from
        frameworks it leads (`Contract.READ_BY`)."""
        return self.filter(authority_condition(authority_id, *Contract.READ_BY))

    def readable_by(self, user):
        """The contracts `user` reads (`commissioning.rules.reading_for_filter`)."""
        return self.filter(reading_for_filter(user, *Contract.READ_BY))

    def readable_linked(self, user, **link):
        """A condition on an outer row (a lot, a provider, an authority): `user` reads one of these contracts
        linked to it by `link`, e.g. `lot=OuterRef("pk")` (`commissioning.rules.reading_exists`)."""
        return reading_exists(user, self, Contract.READ_BY, **link)


class Contract(models.Model):
    """A contract or grant agreement with a supplier (or the lead of a consortium)."""

    class Kind(models.TextChoices):
        CONTRACT = "contract", "Contract"
        GRANT = "grant", "Grant agreement"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        LIVE = "live", "Live"
        FINAL_SIX_MONTHS = "final_six_months", "In its final six months"
        ENDED = "ended", "Ended"
        TERMINATED = "terminated", "Terminated"

    class Origin(models.TextChoices):
        ENTERED = "entered", "Entered by an officer"
        IMPORTED = "imported", "Imported from an existing register"
        AWARD = "award", "Created from a competition award"
        DIRECT_AWARD = "direct_award", "Created from a direct award"

    reference = models.CharField(max_length=50, unique=True)
    title = models.CharField("service", max_length=250)
    scope = models.TextField(
        "scope of the service", blank=True, help_text="What the provider delivers. Changed by a variation."
    )
    kind = models.CharField("contract or grant", max_length=20, choices=Kind.choices, default=Kind.CONTRACT)
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        related_name="contracts",
        help_text="The provider, or the lead provider of a consortium.",
    )
    consortium_members = models.ManyToManyField(
        Supplier,
        blank=True,
        related_name="consortium_contracts",
        help_text="Organisations delivering with the lead provider.",
    )
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="contracts")
    areas = models.ManyToManyField(Area, blank=True, related_name="contracts")
    buying_authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="contracts",
        help_text="The OPCC, or the partner authority calling off.",
    )
    start_on = models.DateField("start date")
    initial_end_on = models.DateField("initial end date", help_text="The end of the initial term.")
    current_end_on = models.DateField(
        "current end date", help_text="Moved only by exercising an extension or by a variation."
    )
    extension_notice_months = models.PositiveSmallIntegerField(
        "extension decision due (months before the end)",
        default=6,
        validators=[MaxValueValidator(LONGEST_NOTICE_MONTHS)],
        help_text="How long before the current end date an extension must be decided.",
    )
    officer_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_contracts",
        limit_choices_to={"role": "officer"},
        verbose_name="contract manager (commissioner)",
    )
    supplier_manager_name = models.CharField("contract manager (provider)", max_length=150, blank=True)
    supplier_manager_email = models.EmailField("provider contract manager's email", blank=True)
    supplier_manager_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supplier_managed_contracts",
        limit_choices_to={"role": "provider"},
        verbose_name="provider contract manager's portal account",
    )
    in_recommissioning_scope = models.BooleanField(
        "in scope for recommissioning",
        default=True,
        help_text="Out-of-scope services are funded from the same streams but commissioned separately.",
    )
    scope_note = models.CharField("why it is out of scope", max_length=250, blank=True)
    # A contract no award or direct award produced goes live on two officers' word: one proposes it.
    live_proposed_at = models.DateTimeField("going live proposed at", null=True, blank=True)
    live_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    activated_at = models.DateTimeField("went live at", null=True, blank=True)
    # Kept by monitoring (`monitoring.returns_sent`) as providers send returns: the end of the last quarter up
    # to which every quarterly return of the contract has been sent, from the quarter it started in; empty
    # until the first is. It only lets the overdue-returns search pass over contracts with nothing missing.
    returns_sent_until = models.DateField(null=True, blank=True, editable=False)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    terminated_on = models.DateField("last day before termination", null=True, blank=True)
    # The next decision point of a live contract (kept by contracts.decision_points; empty for a draft).
    decision_point_on = models.DateField(null=True, blank=True, editable=False)
    termination_reason = models.TextField(blank=True)
    terminated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    terminated_at = models.DateTimeField(null=True, blank=True)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.ENTERED)
    # Where the contract came from when an award or direct award created it (set by the award stage).
    source_content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_object_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_content_type", "source_object_id")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The going-live proposal is a step, kept in the audit trail; the history keeps the contract's terms.
    history = HistoricalRecords(
        m2m_fields=[areas],
        excluded_fields=[
            "updated_at",
            "live_proposed_at",
            "live_proposed_by",
            "returns_sent_until",
            "decision_point_on",
        ],
    )
    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        indexes = [
            # The officers' register, ending soonest first, a page at a time (keyset pagination).
            models.Index(fields=["current_end_on", "reference", "id"], name="contract_register_order_idx"),
            # The register's drafts whose end date has passed, which it shows with the current contracts.
            models.Index(
                fields=["current_end_on", "reference", "id"],
                condition=Q(activated_at__isnull=True),
                name="contract_draft_order_idx",
            ),
            # The contracts in force during a quarter (the returns dashboard), and the earliest start.
            models.Index(fields=["start_on", "current_end_on", "lot"], name="contract_in_force_idx"),
            # Contracts with a quarterly return missing up to a date (the officers' overdue returns).
            models.Index(fields=["returns_sent_until"], name="contract_returns_gap_idx"),
            # The register's contracts that are over because they were terminated (`register_groups`).
            models.Index(
                fields=["terminated_on"], condition=Q(terminated_on__isnull=False), name="contract_terminated_idx"
            ),
            # A contract bought by an authority on a lot: the lots and buyers of the contracts an officer reads
            # (`ContractQuerySet.readable_linked`), one index probe for each.
            models.Index(fields=["buying_authority", "lot"], name="contract_buyer_lot_idx"),
            # The live contracts reaching a decision point, soonest first (the officers' home page).
            models.Index(
                fields=["buying_authority", "decision_point_on", "reference"], name="contract_decision_point_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(initial_end_on__gt=F("start_on")), name="contract_initial_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(current_end_on__gt=F("start_on")), name="contract_current_end_after_start"
            ),
            # The officers' queue of contracts reaching a decision point looks back no further than this.
            models.CheckConstraint(
                condition=Q(extension_notice_months__lte=LONGEST_NOTICE_MONTHS),
                name="contract_notice_within_longest",
            ),
            models.CheckConstraint(
                condition=Q(terminated_on__isnull=True)
                | (Q(terminated_on__gte=F("start_on")) & Q(terminated_on__lte=F("current_end_on"))),
                name="contract_terminated_within_term",
            ),
            models.UniqueConstraint(
                fields=["source_content_type", "source_object_id"],
                condition=Q(source_object_id__isnull=False),
                name="one_contract_per_source",
            ),
        ]

    # The authorities whose officers read a contract: the buyer, and the lead authority of the framework it
    # is called off from. Co-commissioning (contributing authorities) adds its lookup here and below.
    # A contributing authority is reached through a subquery (`rules.Through`), so a contract with several
    # contributions is still one row.
    READ_BY = (
        "buying_authority",
        "lot__framework__lead_authority",
        Through("pk", "contracts.Contribution", "contract_id"),
    )

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @classmethod
    def read_by(cls, prefix: str) -> tuple:
        """`READ_BY` from a model that points at its contract through `prefix` (e.g. "contract__")."""
        return tuple(
            lookup.prefixed(prefix) if isinstance(lookup, Through) else prefix + lookup for lookup in cls.READ_BY
        )

    def reading_authority_ids(self) -> set[int]:
        ids = {self.buying_authority_id}
        if self.lot_id is not None:
            ids.add(self.lot.framework.lead_authority_id)
        ids.update(self.contributions.values_list("authority_id", flat=True))
        return ids

    def clean(self) -> None:
        errors = {}
        if self.start_on and self.initial_end_on and self.initial_end_on <= self.start_on:
            errors["initial_end_on"] = "The initial end date must be after the start date"
        if errors:
            raise ValidationError(errors)

    # Derived values -----------------------------------------------------------------------------

    @property
    def effective_end_on(self) -> date:
        return self.terminated_on or self.current_end_on

    @property
    def is_draft(self) -> bool:
        return self.activated_at is None

    def is_in_force_during(self, first: date, last: date) -> bool:
        """`ContractQuerySet.in_force_during` for this contract as read: no query."""
        return self.activated_at is not None and self.start_on <= last and self.effective_end_on >= first

    def status_on(self, today: date) -> str:
        """Draft, live, in its final six months, ended or terminated, from the dates and decisions."""
        if self.activated_at is None:
            return self.Status.DRAFT
        if self.terminated_on is not None and self.terminated_on < today:
            return self.Status.TERMINATED
        if self.current_end_on < today:
            return self.Status.ENDED
        if self.effective_end_on < final_period_horizon(today):
            return self.Status.FINAL_SIX_MONTHS
        return self.Status.LIVE

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def status_label_on(self, today: date) -> str:
        return self.Status(self.status_on(today)).label

    @property
    def status_label(self) -> str:
        return self.status_label_on(timezone.localdate())

    @property
    def initial_term_months(self) -> int | None:
        """The initial term in whole months, or None when the dates are not a whole number of months."""
        rough = (self.initial_end_on.year - self.start_on.year) * 12 + (self.initial_end_on.month - self.start_on.month)
        for months in (rough, rough + 1, rough - 1):
            if months > 0 and term_end(self.start_on, months) == self.initial_end_on:
                return months
        return None

    @property
    def term_description(self) -> str:
        """For example "3 years + 1 year + 1 year" (uses the prefetched options)."""
        months = self.initial_term_months
        initial = (
            ExtensionOption.describe_months(months)
            if months
            else f"{long_date(self.start_on)} to {long_date(self.initial_end_on)}"
        )
        options = [ExtensionOption.describe_months(o.months) for o in self.extension_options.all()]
        return " + ".join([initial, *options])

    @property
    def financial_years(self) -> list[int]:
        """Financial years (by starting calendar year) the current term touches."""
        return list(range(financial_year_of(self.start_on), financial_year_of(self.effective_end_on) + 1))

    @property
    def furthest_end_on(self) -> date:
        """The end if every option not yet exercised were exercised (uses the prefetched options)."""
        if self.terminated_on is not None:
            return self.terminated_on
        end = self.current_end_on
        for option in self.extension_options.all():
            if not hasattr(option, "exercised"):
                end = extended_end(end, option.months)
        return end

    @property
    def potential_financial_years(self) -> list[int]:
        """Financial years of the term including every remaining extension option."""
        return list(range(financial_year_of(self.start_on), financial_year_of(self.furthest_end_on) + 1))

    @property
    def total_value_now(self) -> Decimal:
        """The sum of every recorded year value (excluding VAT); uses the annotation when present."""
        annotated = self.__dict__.get("total_value")
        if annotated is None and "year_values" in getattr(self, "_prefetched_objects_cache", {}):
            annotated = sum((value.amount for value in self.year_values.all()), ZERO)
        if annotated is None:
            annotated = self.year_values.aggregate(total=Sum("amount"))["total"] or ZERO
        return Decimal(annotated).quantize(Decimal("0.01"))

    def next_option(self) -> ExtensionOption | None:
        """The lowest-numbered option not yet exercised (uses the prefetched options)."""
        for option in self.extension_options.all():
            if not hasattr(option, "exercised"):
                return option
        return None

    def next_extension_decision_on(self) -> date | None:
        """When the next option must be decided: the notice period before the current end."""
        if self.terminated_on is not None or self.next_option() is None:
            return None
        return months_before(self.current_end_on, self.extension_notice_months)


class ExtensionOption(models.Model):
    """One option to extend: "3 years + 1 + 1" is an initial term and two options of 12 months."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="extension_options")
    sequence = models.PositiveSmallIntegerField(
        "option number", validators=[MinValueValidator(1)], help_text="Options are exercised in order."
    )
    months = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(120)])

    class Meta:
        # By the contract's key: by "contract" (its reference) joined the contract to every read.
        ordering = ["contract_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "sequence"], name="one_option_per_sequence"),
            models.CheckConstraint(condition=Q(months__gte=1), name="option_at_least_one_month"),
        ]

    def __str__(self) -> str:
        return f"Option {self.sequence}: {self.describe_months(self.months)}"

    @property
    def length_label(self) -> str:
        return self.describe_months(self.months)

    @staticmethod
    def describe_months(months: int) -> str:
        if months % 12 == 0:
            years = months // 12
            return f"{years} year{'s' if years != 1 else ''}"
        return f"{months} month{'s' if months != 1 else ''}"


class Extension(models.Model):
    """An exercised extension option: who decided, when and why, and how it moved the end date."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="extensions")
    option = models.OneToOneField(ExtensionOption, on_delete=models.PROTECT, related_name="exercised")
    decided_on = models.DateField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    end_before = models.DateField()
    end_after = models.DateField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["contract", "option__sequence"]
        constraints = [
            models.CheckConstraint(condition=Q(end_after__gt=F("end_before")), name="extension_moves_end_later")
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} extended to {long_date(self.end_after)}"


class Variation(models.Model):
    """A change to value, end date or scope, with the reason, the approver and before/after values."""

    class Kind(models.TextChoices):
        VALUE = "value", "Change to the value of a financial year"
        END_DATE = "end_date", "Change to the end date"
        SCOPE = "scope", "Change to the scope of the service"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="variations")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.TextField()
    approver = models.CharField(
        max_length=200, help_text="Who approved it, for example the Police and Crime Commissioner."
    )
    approved_on = models.DateField()
    financial_year = models.PositiveSmallIntegerField(null=True, blank=True)
    value_before = models.DecimalField(**MONEY, null=True, blank=True)
    value_after = models.DecimalField(**MONEY, null=True, blank=True)
    end_before = models.DateField(null=True, blank=True)
    end_after = models.DateField(null=True, blank=True)
    scope_before = models.TextField(blank=True)
    scope_after = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["contract", "approved_on", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.contract.reference}: {self.get_kind_display()} ({long_date(self.approved_on)})"

    @property
    def financial_year_label(self) -> str:
        return financial_year_label(self.financial_year) if self.financial_year is not None else ""
