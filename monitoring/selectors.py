"""Reads of performance monitoring, scoped to the user and with a fixed number of queries.

- the provider's contracts and the quarters they owe returns for;
- the officers' returns dashboard (per framework, lot, provider and quarter);
- a return with each value beside its target, its RAG rating and the last four quarters;
- aggregates across providers per lot, area and quarter, half-years and the year: counts and pounds are
  summed, percentages are worked out again from the summed numerators and denominators (never averaged);
  days and percentages entered without counts cannot be combined, so their range is shown instead.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Case, CharField, Count, Exists, Min, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from commissioning.dates import Quarter, financial_year_label
from commissioning.models import Area, User
from commissioning.rules import reading_for_filter, reads_everything
from commissioning.search import Column, Sorting, search
from contracts.models import Contract
from frameworks.models import Framework, Lot
from suppliers.models import Supplier

from . import charts, tallies
from .figures import categories, percentage
from .models import (
    NOT_STARTED,
    NOT_STARTED_LABEL,
    RAG_TAG_CLASSES,
    ContractIndicator,
    Indicator,
    KPITemplate,
    QuarterlyReturn,
    Question,
    Rag,
    ReturnPeriod,
    ReturnReview,
    ReturnValue,
    Timeliness,
    Unit,
    rag_for,
    timeliness,
)

Status = QuarterlyReturn.Status
# Figures that count as reported: everything a provider has sent, whether or not accepted yet.
REPORTED = [Status.SUBMITTED, Status.RESUBMITTED, Status.ACCEPTED, Status.RETURNED]

STATUS_TAGS = {
    NOT_STARTED: "govuk-tag--grey",
    Status.DRAFT: "govuk-tag--light-blue",
    Status.SUBMITTED: "govuk-tag--blue",
    Status.RESUBMITTED: "govuk-tag--blue",
    Status.RETURNED: "govuk-tag--orange",
    Status.ACCEPTED: "govuk-tag--green",
}
TIMELINESS_TAGS = {
    Timeliness.NOT_DUE: "govuk-tag--grey",
    Timeliness.ON_TIME: "govuk-tag--green",
    Timeliness.LATE: "govuk-tag--yellow",
    Timeliness.OVERDUE: "govuk-tag--red",
}


def status_label(status: str) -> str:
    return NOT_STARTED_LABEL if status == NOT_STARTED else Status(status).label


# The provider's contracts and returns ------------------------------------------------------------------


def _supplier_id(user: User) -> int | None:
    membership = getattr(user, "supplier_membership", None)
    return membership.supplier_id if membership is not None else None


def provider_contracts(user: User) -> QuerySet[Contract]:
    """The user's own supplier's live (or ended) contracts: never anyone else's, never drafts."""
    supplier_id = _supplier_id(user)
    if supplier_id is None:
        return Contract.objects.none()
    return (
        Contract.objects.filter(supplier_id=supplier_id, activated_at__isnull=False)
        .select_related("supplier", "lot__framework", "buying_authority")
        .order_by("reference")
    )


def contract_for_provider(user: User, pk: int) -> Contract:
    """One of the provider's contracts, or 404: another supplier's contract does not exist for them."""
    contract = provider_contracts(user).filter(pk=pk).first()
    if contract is None:
        raise Http404("No such contract")
    # The user's own supplier, already read with the contract: share it so that the page header and the
    # audit trail (which name the user's organisation) do not read it again.
    user.supplier_membership.supplier = contract.supplier
    return contract


def quarters_of(contract: Contract, today: date) -> list[Quarter]:
    """Quarters the contract owes a return for, up to the current one, newest first."""
    first = Quarter.containing(contract.start_on)
    last = min(Quarter.containing(today), Quarter.containing(contract.effective_end_on))
    quarters = []
    quarter = first
    while quarter <= last:
        quarters.append(quarter)
        quarter = quarter.next()
    return list(reversed(quarters))


@dataclass
class ReturnSlot:
    """One contract and one quarter: the return (or none yet), its status and whether it is on time."""

    contract: Contract
    quarter: Quarter
    quarterly_return: QuarterlyReturn | None
    today: date
    due_on: date | None = None

    def __post_init__(self):
        if self.due_on is None:
            self.due_on = self.quarterly_return.due_on if self.quarterly_return else self.quarter.return_due

    @property
    def status(self) -> str:
        return self.quarterly_return.status if self.quarterly_return else NOT_STARTED

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def status_tag(self) -> str:
        return STATUS_TAGS[self.status]

    @property
    def timeliness(self) -> str:
        submitted = self.quarterly_return.submitted_at if self.quarterly_return else None
        return timeliness(due_on=self.due_on, submitted_at=submitted, today=self.today)

    @property
    def timeliness_label(self) -> str:
        return Timeliness(self.timeliness).label

    @property
    def timeliness_tag(self) -> str:
        return TIMELINESS_TAGS[self.timeliness]

    @property
    def quarter_ended(self) -> bool:
        return self.today > self.quarter.end

    @property
    def editable(self) -> bool:
        return self.quarterly_return is None or self.quarterly_return.is_editable


def provider_overview(user: User, *, today: date) -> list[tuple[Contract, list[ReturnSlot]]]:
    """Each of the provider's contracts with a slot per quarter. Two queries."""
    contracts = list(provider_contracts(user))
    returns = {
        (r.contract_id, r.period.financial_year, r.period.quarter): r
        for r in QuarterlyReturn.objects.filter(contract__in=[c.pk for c in contracts]).select_related("period")
    }
    return [
        (
            contract,
            [
                ReturnSlot(contract, q, returns.get((contract.pk, q.financial_year, q.number)), today)
                for q in quarters_of(contract, today)
            ],
        )
        for contract in contracts
    ]


def return_of(contract: Contract, quarter: Quarter) -> QuarterlyReturn | None:
    quarterly_return = (
        QuarterlyReturn.objects.filter(
            contract=contract, period__financial_year=quarter.financial_year, period__quarter=quarter.number
        )
        .select_related("period")
        .order_by("pk")
        .first()
    )
    if quarterly_return is not None:
        quarterly_return.contract = contract  # the same row, as the caller has it (with its supplier)
    return quarterly_return


def indicators_of(contract: Contract) -> list[ContractIndicator]:
    return list(ContractIndicator.objects.filter(contract=contract).order_by("order", "pk"))


def group_by_question(items: Iterable, question=lambda item: item.question) -> list[tuple[str, list]]:
    """[(RBA question label, items)] in the order how much, how well, better off, social value."""
    groups: dict[str, list] = defaultdict(list)
    for item in items:
        groups[question(item)].append(item)
    return [(q.label, groups[q.value]) for q in Question if groups.get(q.value)]


def reviews_of(quarterly_return: QuarterlyReturn) -> QuerySet[ReturnReview]:
    if quarterly_return.submitted_at is None:
        # Officers review submissions: a return never submitted has no reviews, so do not ask.
        return ReturnReview.objects.none()
    return quarterly_return.reviews.select_related("decided_by").order_by("-decided_at", "-pk")


# The dashboard ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardFilters:
    quarter: Quarter
    framework: int | None = None
    lot: int | None = None
    supplier: int | None = None
    q: str = ""  # a contract's reference or title, or a provider's name


class DashboardSlots(Sequence):
    """The dashboard's rows, loaded a page at a time (two queries for any slice): the tallies are
    counted by the database, so the page costs the same with 50 contracts in force or 5,000."""

    def __init__(self, contracts: QuerySet[Contract], total: int, period: ReturnPeriod | None, quarter, today, due):
        self.contracts, self.total = contracts, total
        self.period, self.quarter, self.today, self.due = period, quarter, today, due

    def __len__(self) -> int:
        return self.total

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[slice(index, index + 1 if index != -1 else None)][0]
        contracts = list(self.contracts[index])
        returns = {}
        if self.period is not None and contracts:
            returns = {
                r.contract_id: r
                for r in QuarterlyReturn.objects.filter(period=self.period, contract__in=[c.pk for c in contracts])
            }
        return [
            ReturnSlot(c, self.quarter, returns.get(c.pk), self.today, None if c.pk in returns else self.due)
            for c in contracts
        ]


@dataclass
class Dashboard:
    filters: DashboardFilters
    slots: DashboardSlots
    counts: dict[str, int]
    by_lot: list[tuple[str, dict[str, int]]]
    period: ReturnPeriod | None
    due_on: date


COUNTED = [NOT_STARTED, Status.DRAFT, Status.SUBMITTED, Status.RESUBMITTED, Status.RETURNED, Status.ACCEPTED]
COUNTED_TIMELINESS = [Timeliness.ON_TIME, Timeliness.LATE, Timeliness.OVERDUE, Timeliness.NOT_DUE]


def _tally(states: Mapping[tuple[str, str], int]) -> dict[str, int]:
    """Counts by status and by timeliness from how many returns are in each (status, timeliness)."""
    counts = dict.fromkeys([*COUNTED, *COUNTED_TIMELINESS], 0)
    for (status, on_time), number in states.items():
        counts[status] += number
        counts[on_time] += number
    counts["total"] = sum(counts[s] for s in COUNTED)
    return counts


def _timeliness_in_sql(today: date, due_dates: Iterable[date]) -> Case:
    """`models.timeliness` as a database expression, so returns are counted without being loaded.

    "Late" means first submitted on a UK day after the due date, i.e. at or after the midnight that
    ends it; comparing with that instant (one per distinct due date, usually one) keeps the time
    zone arithmetic out of the database.
    """
    zone = timezone.get_current_timezone()
    late = [
        When(
            due_on=due,
            submitted_at__gte=datetime.combine(due + timedelta(days=1), time.min, tzinfo=zone),
            then=Value(Timeliness.LATE.value),
        )
        for due in due_dates
    ]
    return Case(
        *late,
        When(submitted_at__isnull=False, then=Value(Timeliness.ON_TIME.value)),
        When(due_on__lt=today, then=Value(Timeliness.OVERDUE.value)),
        default=Value(Timeliness.NOT_DUE.value),
        output_field=CharField(),
    )


DASHBOARD_SEARCH = ("reference", "supplier__legal_name", "supplier__trading_name", "title")
DASHBOARD_COLUMNS = [
    Column("provider", "Provider and contract", ("supplier__legal_name", "reference")),
    Column("lot", "Lot", ("lot__framework__reference", "lot__number")),
    Column("status", "Status", ("return_status",)),
]


def dashboard(filters: DashboardFilters, *, today: date, user: User, sorting: Sorting | None = None) -> Dashboard:
    """Every return due for the quarter (one per contract in force during it), filtered, with tallies.

    The counts by status come from the tallies the services keep (`monitoring.tallies`), a few dozen
    rows a quarter however many returns; only for one provider's contracts are the returns counted
    (they are few, and the tallies are not kept per provider). The contracts in force are counted by
    lot. Four queries, plus two for the page of rows shown (`DashboardSlots`).
    """
    quarter = filters.quarter
    period = ReturnPeriod.objects.filter(financial_year=quarter.financial_year, quarter=quarter.number).first()
    in_force = Contract.objects.readable_by(user).in_force_during(quarter.start, quarter.end)
    if filters.framework:
        in_force = in_force.filter(lot__framework_id=filters.framework)
    if filters.lot:
        in_force = in_force.filter(lot_id=filters.lot)
    if filters.supplier:
        in_force = in_force.filter(supplier_id=filters.supplier)
    in_force = search(in_force, filters.q, DASHBOARD_SEARCH)
    # A search annotates the rows, so count the matching contracts by their keys.
    countable = Contract.objects.filter(pk__in=in_force.values("pk")) if filters.q else in_force
    lots = countable.order_by().values_list("lot_id").annotate(n=Count("pk"))
    counts_by_lot = dict(lots)
    lot_rows = Lot.objects.filter(pk__in=[pk for pk in counts_by_lot if pk]).select_related("framework")
    labels = {lot.pk: f"{lot.framework.reference} lot {lot.number}: {lot.title}" for lot in lot_rows}
    # The tallies count every return of a lot: right for whoever reads all of its contracts (the
    # framework's lead authority, or an administrator); anyone else's returns are counted.
    whole_lots = {
        lot.pk for lot in lot_rows if reads_everything(user) or lot.framework.lead_authority_id == user.authority_id
    }
    if reads_everything(user) and None in counts_by_lot:
        whole_lots.add(None)
    contracts_by_lot = {
        lot_id: (labels.get(lot_id, "") if lot_id else "Contracts without a lot", count)
        for lot_id, count in counts_by_lot.items()
    }
    by_lot: dict[int | None, Counter] = defaultdict(Counter)
    tallied = set() if (filters.supplier or filters.q) else whole_lots & set(contracts_by_lot)
    if period is not None and tallied:
        for lot_id, states in tallies.by_lot(period, today=today, lot_ids=tallied).items():
            by_lot[lot_id].update(states)
    counted = set(contracts_by_lot) - tallied
    if period is not None and counted:
        in_counted = Q(contract__lot_id__in=[pk for pk in counted if pk])
        if None in counted:
            in_counted |= Q(contract__lot__isnull=True)
        returns = QuarterlyReturn.objects.filter(in_counted, period=period, contract__in=in_force.values("pk"))
        due_dates = returns.order_by().values_list("due_on", flat=True).distinct()
        for row in (
            returns.annotate(on_time=_timeliness_in_sql(today, list(due_dates)))
            .order_by()
            .values("contract__lot_id", "status", "on_time")
            .annotate(n=Count("pk"))
        ):
            by_lot[row["contract__lot_id"]][(row["status"], row["on_time"])] += row["n"]
    due = period.due_on if period is not None else quarter.return_due
    unsent = Timeliness.OVERDUE if today > due else Timeliness.NOT_DUE
    everything: Counter = Counter()
    groups: dict[str, dict[str, int]] = {}
    for lot_id, (label, count) in contracts_by_lot.items():
        states = by_lot[lot_id]
        states[(NOT_STARTED, unsent)] += max(0, count - sum(states.values()))  # in force, no return yet
        everything.update(states)
        groups[label] = _tally(states)
    counts = _tally(everything)

    rows = in_force.select_related("supplier", "lot__framework")
    if sorting is not None and sorting.column is not None:
        # Not started sorts first: the return's status, or "" when there is none yet.
        status = QuarterlyReturn.objects.filter(contract=OuterRef("pk"), period=period).values("status")[:1]
        rows = sorting.apply(
            rows.annotate(return_status=Coalesce(Subquery(status), Value(""))), "supplier__legal_name", "pk"
        )
    else:
        rows = rows.order_by("supplier__legal_name", "reference", "pk")
    return Dashboard(
        filters=filters,
        slots=DashboardSlots(rows, counts["total"], period, quarter, today, due),
        counts=counts,
        by_lot=sorted(groups.items()),
        period=period,
        due_on=due,
    )


def dashboard_choices(*, today: date, user: User) -> dict[str, list[tuple[str, str]]]:
    """Filter choices: frameworks and lots (one query), providers with contracts, and quarters from the
    earliest contract (or the quarter shown by default, if that is earlier) to the next one."""
    readable = Contract.objects.readable_by(user)
    lots = list(readable_lots(user, Lot.objects.select_related("framework")).order_by("framework__reference", "number"))
    frameworks: dict[int, Framework] = {}
    for lot in lots:
        frameworks.setdefault(lot.framework_id, lot.framework)
    suppliers = (
        Supplier.objects.filter(Exists(readable.filter(supplier=OuterRef("pk"), activated_at__isnull=False)))
        .order_by("legal_name")
        .values_list("pk", "legal_name")
    )
    earliest = readable.filter(activated_at__isnull=False).aggregate(first=Min("start_on"))["first"]
    quarters = []
    current = Quarter.containing(today)
    quarter = default_quarter(today)
    if earliest and Quarter.containing(earliest) < quarter:
        quarter = Quarter.containing(earliest)
    while quarter <= current.next():
        quarters.append(quarter)
        quarter = quarter.next()
    return {
        "framework": [("", "All frameworks")] + [(str(f.pk), f.reference) for f in frameworks.values()],
        "lot": [("", "All lots")]
        + [(str(lot.pk), f"{lot.framework.reference} lot {lot.number}: {lot.title}") for lot in lots],
        "supplier": [("", "All providers")] + [(str(pk), name) for pk, name in suppliers],
        "quarter": [(quarter_key(q), q.label) for q in reversed(quarters)],
    }


def quarter_key(quarter: Quarter) -> str:
    return f"{quarter.financial_year}-q{quarter.number}"


def parse_quarter(value: str) -> Quarter | None:
    try:
        year, number = value.split("-q")
        quarter = Quarter(int(year), int(number))
    except (ValueError, AttributeError):
        return None
    return quarter if 1 <= quarter.number <= 4 and 2000 <= quarter.financial_year <= 2100 else None


def default_quarter(today: date) -> Quarter:
    """The quarter whose returns are being collected: the last one that has ended."""
    return Quarter.containing(today).previous()


# One return in detail -----------------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    indicator: ContractIndicator
    value: ReturnValue | None
    value_text: str
    target_text: str
    rag: str
    chart: str = ""
    breakdowns: list[tuple[str, list[tuple[str, int]]]] = field(default_factory=list)
    cumulative_text: str = ""

    @property
    def rag_label(self) -> str:
        return Rag(self.rag).label

    @property
    def rag_tag(self) -> str:
        return RAG_TAG_CLASSES[self.rag]


def value_text(indicator: ContractIndicator, value: ReturnValue | None) -> str:
    if value is None:
        return ""
    if indicator.is_fraction:
        if value.numerator is None or value.denominator is None:
            return ""
        shown = indicator.format_value(value.value) if value.value is not None else "not applicable"
        return f"{shown} ({value.numerator:,} of {value.denominator:,})"
    return indicator.format_value(value.value)


def target_text(indicator: ContractIndicator, expected: Decimal | None = None) -> str:
    if indicator.target is None:
        return "No target"
    text = indicator.format_value(indicator.target)
    if indicator.target_due_on:
        return f"{text} by {indicator.target_due_on:%-d %B %Y}" + (
            f" ({indicator.format_value(expected)} expected by now)" if expected is not None else ""
        )
    return text


def _periods_back(quarter: Quarter, n: int) -> list[Quarter]:
    quarters = [quarter]
    for _ in range(n):
        quarters.insert(0, quarters[0].previous())
    return quarters


def indicator_rows(
    *,
    contract: Contract,
    quarter: Quarter,
    quarterly_return: QuarterlyReturn | None,
    indicators: list[ContractIndicator] | None = None,
    history: int = 4,
    fluid_charts: bool = False,
    with_charts: bool = True,
) -> list[IndicatorRow]:
    """Each indicator of the contract for the quarter: value, target, RAG, breakdowns and a chart of
    the quarter and the `history` quarters before it (`with_charts=False`: no chart, for pages that do
    not show one). Two or three queries."""
    indicators = indicators if indicators is not None else indicators_of(contract)
    areas = {a.code: a.name for a in contract.areas.all()} or {a.code: a.name for a in Area.objects.all()}
    reported = Q(quarterly_return__status__in=REPORTED)
    if quarterly_return is not None:
        reported |= Q(quarterly_return=quarterly_return)
    values = (
        ReturnValue.objects.filter(reported, indicator__contract=contract)
        .filter(
            Q(quarterly_return__period__financial_year__lt=quarter.financial_year)
            | Q(
                quarterly_return__period__financial_year=quarter.financial_year,
                quarterly_return__period__quarter__lte=quarter.number,
            )
        )
        .select_related("quarterly_return__period")
    )
    by_quarter: dict[tuple[int, int], dict[int, ReturnValue]] = defaultdict(dict)
    for value in values:
        period = value.quarterly_return.period
        by_quarter[(period.financial_year, period.quarter)][value.indicator_id] = value
    shown = [q for q in _periods_back(quarter, history) if q.end >= contract.start_on]
    rows = []
    for indicator in indicators:
        current = by_quarter.get((quarter.financial_year, quarter.number), {}).get(indicator.pk)
        expected = None
        cumulative_text = ""
        if indicator.target_due_on:
            total = sum(
                (v[indicator.pk].value or Decimal("0") for v in by_quarter.values() if indicator.pk in v),
                Decimal("0"),
            )
            expected = indicator.expected_by(quarter.end)
            rag = rag_for(total if current is not None else None, expected, indicator.amber_margin, indicator.direction)
            cumulative_text = f"{indicator.format_value(total)} delivered to the end of {quarter.label}"
        else:
            rag = rag_for(
                current.value if current else None, indicator.target, indicator.amber_margin, indicator.direction
            )
        points = []
        for q in shown if with_charts else ():
            v = by_quarter.get((q.financial_year, q.number), {}).get(indicator.pk)
            points.append(
                charts.Point(
                    label=charts.short_label(q.financial_year, q.number),
                    value=v.value if v is not None else None,
                    text=indicator.format_value(v.value) if v is not None and v.value is not None else "",
                    rag=rag_for(v.value, indicator.target, indicator.amber_margin, indicator.direction)
                    if v is not None and not indicator.target_due_on
                    else Rag.NONE,
                )
            )
        breakdowns = []
        if current is not None:
            for breakdown in indicator.breakdown_list:
                counts = (current.breakdowns or {}).get(breakdown.key)
                if counts:
                    # In the breakdown's own order (PostgreSQL's jsonb does not keep the order of keys).
                    ordered = categories(breakdown.key, [_AreaLike(c, n) for c, n in areas.items()])
                    breakdowns.append(
                        (breakdown.label, [(label, counts[code]) for code, label in ordered if code in counts])
                    )
        rows.append(
            IndicatorRow(
                indicator=indicator,
                value=current,
                value_text=value_text(indicator, current),
                target_text=target_text(indicator, expected),
                rag=rag,
                chart=charts.trend_svg(
                    title=f"{indicator.name}, {shown[0].label} to {quarter.label}",
                    points=points,
                    target=None if indicator.target_due_on else indicator.target,
                    target_text=indicator.format_value(indicator.target) if indicator.target is not None else "",
                    fluid=fluid_charts,
                )
                if with_charts
                else "",
                breakdowns=breakdowns,
                cumulative_text=cumulative_text,
            )
        )
    return rows


@dataclass(frozen=True)
class _AreaLike:
    code: str
    name: str


def returns_for_officer(user: User) -> QuerySet[QuarterlyReturn]:
    """The returns of the contracts the user reads (commissioning.rules)."""
    return QuarterlyReturn.objects.filter(reading_for_filter(user, *Contract.read_by("contract__")))


def return_for_officer(user: User, pk: int) -> QuarterlyReturn:
    try:
        return (
            returns_for_officer(user)
            .select_related(
                "contract__supplier",
                "contract__lot__framework",
                "contract__officer_manager",
                "contract__buying_authority",
                "period",
                "submitted_by",
                "accepted_by",
                "created_by",
            )
            .get(pk=pk)
        )
    except QuarterlyReturn.DoesNotExist as exc:
        raise Http404("No such return") from exc


def rag_summary(rows: Iterable[IndicatorRow]) -> dict[str, int]:
    counts = dict.fromkeys([r.value for r in Rag], 0)
    for row in rows:
        counts[row.rag] += 1
    return counts


# Aggregates ------------------------------------------------------------------------------------------------


@dataclass
class Combined:
    """One indicator combined across returns."""

    unit: str
    is_fraction: bool
    total: Decimal = Decimal("0")
    numerator: int = 0
    denominator: int = 0
    low: Decimal | None = None
    high: Decimal | None = None
    returns: int = 0

    def add(self, value: Decimal | None, numerator: int | None = None, denominator: int | None = None) -> None:
        if self.is_fraction:
            if numerator is None or denominator is None:
                return
            self.numerator += numerator
            self.denominator += denominator
        elif value is None:
            return
        else:
            self.total += value
            self.low = value if self.low is None else min(self.low, value)
            self.high = value if self.high is None else max(self.high, value)
        self.returns += 1

    def merge(self, other: Combined) -> None:
        self.total += other.total
        self.numerator += other.numerator
        self.denominator += other.denominator
        for bound in (other.low, other.high):
            if bound is not None:
                self.low = bound if self.low is None else min(self.low, bound)
                self.high = bound if self.high is None else max(self.high, bound)
        self.returns += other.returns

    @property
    def can_be_added(self) -> bool:
        return self.unit in {Unit.COUNT, Unit.MONEY}

    @property
    def value(self) -> Decimal | None:
        """Counts and pounds: the sum. Percentages from counts: worked out from the sums. Otherwise None."""
        if not self.returns:
            return None
        if self.is_fraction:
            return percentage(self.numerator, self.denominator)
        if self.can_be_added:
            return self.total
        return None

    def text(self, indicator) -> str:
        if not self.returns:
            return ""
        if self.is_fraction:
            if not self.denominator:
                return "not applicable (0 of 0)"
            return f"{indicator.format_value(self.value)} ({self.numerator:,} of {self.denominator:,})"
        if self.can_be_added:
            return indicator.format_value(self.total)
        if self.low == self.high:
            return indicator.format_value(self.low)
        return f"{indicator.format_value(self.low)} to {indicator.format_value(self.high)} (range, not combined)"


@dataclass(frozen=True)
class ValueRow:
    """A reported figure with what aggregation needs to know about it."""

    code: str
    unit: str
    is_fraction: bool
    quarter: int
    contract_id: int
    value: Decimal | None
    numerator: int | None
    denominator: int | None
    breakdowns: dict


def attribute_to_area(row: ValueRow, area_code: str | None, contract_areas: list[str]) -> tuple[bool, tuple]:
    """(counted, (value, numerator, denominator)) of a figure for one area.

    All areas: the whole figure. A contract covering only that area: the whole figure. A contract
    covering several areas: the area's share from the figure's own area breakdown (counts only); without
    one the figure cannot be split, and it is left out of the area's total (and counted as such).
    """
    whole = (row.value, row.numerator, row.denominator)
    if area_code is None:
        return True, whole
    if len(contract_areas) == 1:
        return (True, whole) if contract_areas[0] == area_code else (True, (None, None, None))
    if area_code not in contract_areas:
        return True, (None, None, None)
    split = (row.breakdowns or {}).get("area")
    if row.unit == Unit.COUNT and split:
        return True, (Decimal(split.get(area_code, 0)), None, None)
    return False, (None, None, None)


PERIOD_COLUMNS = [
    ("q1", "Q1 Apr–Jun", (1,)),
    ("q2", "Q2 Jul–Sep", (2,)),
    ("h1", "Apr–Sep", (1, 2)),
    ("q3", "Q3 Oct–Dec", (3,)),
    ("q4", "Q4 Jan–Mar", (4,)),
    ("h2", "Oct–Mar", (3, 4)),
    ("year", "Year", (1, 2, 3, 4)),
]


@dataclass
class AggregateRow:
    indicator: Indicator | ContractIndicator
    cells: dict[str, Combined]

    def text(self, column: str) -> str:
        return self.cells[column].text(self.indicator)

    @property
    def texts(self) -> list[str]:
        return [self.text(key) for key, _label, _quarters in PERIOD_COLUMNS]


@dataclass
class Aggregate:
    financial_year: int
    lot: Lot | None
    area: Area | None
    rows: list[AggregateRow]
    due: dict[int, int]
    accepted: dict[int, int]
    unattributed: int
    providers: int

    @property
    def year_label(self) -> str:
        return financial_year_label(self.financial_year)

    @property
    def columns(self) -> list[tuple[str, str]]:
        return [(key, label) for key, label, _quarters in PERIOD_COLUMNS]


def aggregate_rows(
    indicators: list, rows: Iterable[ValueRow], *, area_code: str | None, areas_of: dict[int, list[str]]
) -> tuple[list[AggregateRow], int]:
    """Combine figures per indicator and period column; returns the rows and how many figures could
    not be attributed to the area."""
    per_quarter: dict[tuple[str, int], Combined] = {}
    unattributed = 0
    kinds = {i.code: i for i in indicators}
    for row in rows:
        indicator = kinds.get(row.code)
        if indicator is None:
            continue
        counted, (value, numerator, denominator) = attribute_to_area(row, area_code, areas_of.get(row.contract_id, []))
        if not counted:
            unattributed += 1
            continue
        cell = per_quarter.setdefault((row.code, row.quarter), Combined(indicator.unit, indicator.is_fraction))
        cell.add(value, numerator, denominator)
    result = []
    for indicator in indicators:
        cells = {}
        for key, _label, quarters in PERIOD_COLUMNS:
            combined = Combined(indicator.unit, indicator.is_fraction)
            for q in quarters:
                part = per_quarter.get((indicator.code, q))
                if part is not None:
                    combined.merge(part)
            cells[key] = combined
        result.append(AggregateRow(indicator, cells))
    return result, unattributed


def _contracts_of(lot: Lot | None, user: User) -> QuerySet[Contract]:
    contracts = Contract.objects.readable_by(user).filter(activated_at__isnull=False)
    return contracts.filter(lot=lot) if lot is not None else contracts.filter(lot__isnull=True)


def _template_indicators(lot: Lot | None) -> list:
    template = (
        KPITemplate.objects.filter(lot=lot).first()
        if lot is not None
        else KPITemplate.objects.filter(is_default=True).first()
    )
    if template is None:
        return []
    return list(template.indicators.order_by("order", "pk"))


def aggregate(*, lot: Lot | None, financial_year: int, user: User, area: Area | None = None) -> Aggregate:
    """Accepted returns of a lot's contracts (or of contracts without a lot) for a financial year,
    combined per quarter, half-year and year, for all areas or one."""
    indicators = _template_indicators(lot)
    first, last = date(financial_year, 4, 1), date(financial_year + 1, 3, 31)
    in_force = list(
        _contracts_of(lot, user).in_force_during(first, last).values_list("pk", "start_on", "effective_end")
    )
    values = (
        ReturnValue.objects.filter(
            quarterly_return__status=Status.ACCEPTED,
            quarterly_return__period__financial_year=financial_year,
            quarterly_return__contract__in=[pk for pk, _s, _e in in_force],
        )
        .exclude(indicator__question=Question.SOCIAL_VALUE)
        .values_list(
            "indicator__code",
            "indicator__unit",
            "indicator__fraction_entry",
            "quarterly_return__period__quarter",
            "quarterly_return__contract_id",
            "value",
            "numerator",
            "denominator",
            "breakdowns",
        )
    )
    rows = [
        ValueRow(code, unit, unit == Unit.PERCENTAGE and fraction, quarter, contract_id, value, num, den, split or {})
        for code, unit, fraction, quarter, contract_id, value, num, den, split in values
    ]
    areas_of: dict[int, list[str]] = defaultdict(list)
    for contract_id, code in Contract.areas.through.objects.filter(
        contract_id__in=[pk for pk, _s, _e in in_force]
    ).values_list("contract_id", "area__code"):
        areas_of[contract_id].append(code)
    result_rows, unattributed = aggregate_rows(
        indicators, rows, area_code=area.code if area is not None else None, areas_of=areas_of
    )
    accepted = defaultdict(int)
    for _contract, quarter in QuarterlyReturn.objects.filter(
        status=Status.ACCEPTED,
        period__financial_year=financial_year,
        contract__in=[pk for pk, _s, _e in in_force],
    ).values_list("contract_id", "period__quarter"):
        accepted[quarter] += 1
    due = {}
    for number in range(1, 5):
        q = Quarter(financial_year, number)
        due[number] = sum(1 for _pk, start, end in in_force if start <= q.end and end >= q.start)
    return Aggregate(
        financial_year=financial_year,
        lot=lot,
        area=area,
        rows=result_rows,
        due=due,
        accepted=dict(accepted),
        unattributed=unattributed,
        providers=len({pk for pk, _s, _e in in_force}),
    )


def aggregate_areas(lot: Lot | None, user: User) -> list[Area]:
    """Areas covered by the lot's contracts (for the per-area sheets of the export)."""
    return list(Area.objects.filter(contracts__in=_contracts_of(lot, user)).distinct().order_by("name"))


def aggregate_years(lot: Lot | None, today: date, user: User) -> list[int]:
    years = set(
        QuarterlyReturn.objects.filter(contract__in=_contracts_of(lot, user)).values_list(
            "period__financial_year", flat=True
        )
    )
    years.add(Quarter.containing(today).financial_year)
    return sorted(years, reverse=True)


def readable_lots(user: User, lots: QuerySet[Lot] | None = None) -> QuerySet[Lot]:
    """Lots of frameworks the user's authority leads, and lots of contracts the user reads."""
    lots = Lot.objects.all() if lots is None else lots
    if reads_everything(user):
        return lots
    return lots.filter(
        reading_for_filter(user, "framework__lead_authority") | Q(contracts__in=Contract.objects.readable_by(user))
    ).distinct()


def lots_with_templates(user: User) -> list[Lot]:
    return list(
        readable_lots(user, Lot.objects.filter(kpi_template__isnull=False))
        .select_related("framework")
        .order_by("framework__reference", "number")
    )


# The lot's quarterly summary ----------------------------------------------------------------------------------


@dataclass
class ProviderColumn:
    contract: Contract
    slot: ReturnSlot
    values: dict[str, tuple[str, str]]  # indicator code -> (text, rag)


def lot_summary(*, lot: Lot, quarter: Quarter, today: date) -> dict:
    """Every provider's figures for the quarter side by side, with RAG, and the lot's combined figures."""
    indicators = _template_indicators(lot)
    contracts = list(
        Contract.objects.in_force_during(quarter.start, quarter.end)
        .filter(lot=lot)
        .select_related("supplier")
        .prefetch_related("areas")
        .order_by("supplier__legal_name", "reference")
    )
    returns = {
        r.contract_id: r
        for r in QuarterlyReturn.objects.filter(
            contract__in=[c.pk for c in contracts],
            period__financial_year=quarter.financial_year,
            period__quarter=quarter.number,
        ).select_related("period")
    }
    values = ReturnValue.objects.filter(
        quarterly_return__in=[r for r in returns.values() if r.status in REPORTED]
    ).select_related("indicator")
    by_contract: dict[int, dict[str, ReturnValue]] = defaultdict(dict)
    for value in values:
        by_contract[value.indicator.contract_id][value.indicator.code] = value
    columns = []
    combined = {i.code: Combined(i.unit, i.is_fraction) for i in indicators}
    for contract in contracts:
        cells = {}
        for indicator in indicators:
            value = by_contract.get(contract.pk, {}).get(indicator.code)
            if value is None:
                cells[indicator.code] = ("", Rag.NONE)
                continue
            own = value.indicator
            cells[indicator.code] = (
                value_text(own, value),
                rag_for(value.value, own.target, own.amber_margin, own.direction),
            )
            if returns[contract.pk].status == Status.ACCEPTED:
                combined[indicator.code].add(value.value, value.numerator, value.denominator)
        columns.append(ProviderColumn(contract, ReturnSlot(contract, quarter, returns.get(contract.pk), today), cells))
    return {
        "lot": lot,
        "quarter": quarter,
        "indicators": indicators,
        "groups": group_by_question(indicators),
        "columns": columns,
        "combined": {code: c.text(next(i for i in indicators if i.code == code)) for code, c in combined.items()},
        "counts": _tally(Counter((column.slot.status, column.slot.timeliness) for column in columns)),
    }
