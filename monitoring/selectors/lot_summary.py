"""A lot's quarterly summary: each provider's figures side by side."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from commissioning.dates import Quarter
from contracts.models import Contract
from frameworks.models import Lot

from ..models import (
    QuarterlyReturn,
    Rag,
    ReturnValue,
    rag_for,
)
from .aggregates import Combined, _template_indicators
from .common import REPORTED, Status, group_by_question
from .dashboard import _tally
from .detail import value_text
from .provider import ReturnSlot


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
        r.contract_id: r for r in QuarterlyReturn.objects.of_quarter(quarter, contracts).select_related("period")
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
