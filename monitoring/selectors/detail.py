"""One return in detail: its indicators with values, targets and RAG, for the officer's review."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404

from commissioning.dates import Quarter
from commissioning.models import Area, User
from commissioning.rules import reading_for_filter
from contracts.models import Contract

from .. import charts
from ..figures import categories
from ..models import (
    RAG_TAG_CLASSES,
    ContractIndicator,
    QuarterlyReturn,
    Rag,
    ReturnValue,
    rag_for,
)
from .common import REPORTED
from .provider import indicators_of


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
