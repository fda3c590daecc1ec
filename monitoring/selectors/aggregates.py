"""Figures combined across a lot's contracts, by area and period."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import OuterRef, QuerySet

from commissioning.dates import Quarter, financial_year_label
from commissioning.models import Area, User
from commissioning.rules import reading_for_filter, reads_everything
from contracts.models import Contract
from frameworks.models import Lot

from ..figures import percentage
from ..models import (
    ContractIndicator,
    Indicator,
    KPITemplate,
    QuarterlyReturn,
    Question,
    ReturnValue,
    Unit,
)
from .common import Status


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
    # EXISTS per lot and way of reading, not a join with every contract made distinct again.
    read_contract = Contract.objects.readable_linked(user, lot=OuterRef("pk"))
    return lots.filter(reading_for_filter(user, "framework__lead_authority") | read_contract)


def lots_with_templates(user: User) -> list[Lot]:
    return list(
        readable_lots(user, Lot.objects.filter(kpi_template__isnull=False))
        .select_related("framework")
        .order_by("framework__reference", "number")
    )
