"""PDF reports of performance monitoring, registered with the portal's one document path
(`commissioning.reports`), produced in the background by the `generate_document` task.

- "contract-performance-report": one contract for a quarter or a financial year: each indicator against
  its target with RAG, trend charts (inline SVG), the narrative, and social value delivered against the
  contract's commitments.
- "lot-quarterly-summary": every provider on a lot for one quarter, side by side with RAG, and the lot's
  combined figures (accepted returns only; percentages worked out from the summed counts).

Imported from `MonitoringConfig.ready`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from commissioning.dates import Quarter, financial_year_label
from commissioning.models import GeneratedDocument, User
from commissioning.reports import register_report
from commissioning.rules import is_officer, reads_for_authority
from contracts.models import Contract
from frameworks.models import Lot

from . import charts, selectors
from .models import RAG_TAG_CLASSES, QuarterlyReturn, Question, Rag, ReturnValue, Unit, rag_for

CONTRACT_REPORT = "contract-performance-report"
LOT_SUMMARY = "lot-quarterly-summary"


def _contract_readers(user: User, contract: Contract | None) -> bool:
    """Officers who read the contract (its buyer, its framework's lead authority); administrators."""
    return bool(reads_for_authority(user, contract))


def _lot_readers(user: User, lot: Lot | None) -> bool:
    """A lot's summary sets every provider on the lot side by side: the framework's lead authority's
    officers read it, and administrators."""
    return bool(lot is not None and reads_for_authority(user, lot.framework))


def _contract_requesters(user: User, contract: Contract | None) -> bool:
    return bool(is_officer(user) and _contract_readers(user, contract))


def _lot_requesters(user: User, lot: Lot | None) -> bool:
    return bool(is_officer(user) and _lot_readers(user, lot))


def period_label(params: dict[str, Any]) -> str:
    year = int(params["financial_year"])
    if params.get("quarter"):
        return Quarter(year, int(params["quarter"])).label
    return f"financial year {financial_year_label(year)}"


def contract_report_title(contract: Contract | None, params: dict[str, Any]) -> str:
    reference = contract.reference if contract is not None else "contract"
    return f"Performance report: {reference}, {period_label(params)}"


def lot_summary_title(lot: Lot | None, params: dict[str, Any]) -> str:
    quarter = Quarter(int(params["financial_year"]), int(params["quarter"]))
    if lot is None:
        return f"Lot quarterly summary, {quarter.label}"
    return f"Quarterly summary: {lot.framework.reference} lot {lot.number} ({lot.title}), {quarter.label}"


# The contract performance report ---------------------------------------------------------------------------


def _contract(document: GeneratedDocument) -> Contract:
    return Contract.objects.select_related("supplier", "lot__framework", "buying_authority").get(pk=document.target_id)


def contract_report_context(document: GeneratedDocument) -> dict[str, Any]:
    contract = _contract(document)
    year = int(document.params["financial_year"])
    quarter_number = document.params.get("quarter")
    indicators = selectors.indicators_of(contract)
    base = {
        "contract": contract,
        "areas": list(contract.areas.all()),
        "period_label": period_label(document.params),
        "legend": [(rag.label, RAG_TAG_CLASSES[rag]) for rag in Rag],
    }
    if quarter_number:
        quarter = Quarter(year, int(quarter_number))
        quarterly_return = selectors.return_of(contract, quarter)
        rows = selectors.indicator_rows(
            contract=contract,
            quarter=quarter,
            quarterly_return=quarterly_return,
            indicators=indicators,
            fluid_charts=True,
        )
        shown = quarterly_return if quarterly_return and quarterly_return.status in selectors.REPORTED else None
        return {
            **base,
            "mode": "quarter",
            "quarter": quarter,
            "quarterly_return": quarterly_return,
            "slot": selectors.ReturnSlot(contract, quarter, quarterly_return, timezone.localdate()),
            "groups": selectors.group_by_question(
                [r for r in rows if r.indicator.question != Question.SOCIAL_VALUE], lambda r: r.indicator.question
            ),
            "social_value": [r for r in rows if r.indicator.question == Question.SOCIAL_VALUE],
            "rag_counts": selectors.rag_summary(rows),
            "narratives": [(quarter, shown)] if shown else [],
        }
    return {**base, **_year_context(contract, year, indicators)}


def _year_context(contract: Contract, year: int, indicators) -> dict[str, Any]:
    quarters = [Quarter(year, n) for n in range(1, 5)]
    returns = {
        r.period.quarter: r
        for r in QuarterlyReturn.objects.filter(contract=contract, period__financial_year=year).select_related("period")
    }
    reported = {n: r for n, r in returns.items() if r.status in selectors.REPORTED}
    values: dict[tuple[int, int], ReturnValue] = {}
    for value in ReturnValue.objects.filter(quarterly_return__in=list(reported.values())).select_related(
        "quarterly_return__period"
    ):
        values[(value.indicator_id, value.quarterly_return.period.quarter)] = value
    # Social value is cumulative from the start of the contract: everything reported before this year too.
    earlier = {
        v["indicator_id"]: v["total"]
        for v in ReturnValue.objects.filter(
            indicator__contract=contract,
            indicator__question=Question.SOCIAL_VALUE,
            quarterly_return__status__in=selectors.REPORTED,
            quarterly_return__period__financial_year__lt=year,
        )
        .values("indicator_id")
        .annotate(total=Sum("value"))
        .values("indicator_id", "total")
    }
    rows = []
    for indicator in indicators:
        cells = []
        combined = selectors.Combined(indicator.unit, indicator.is_fraction)
        points = []
        for quarter in quarters:
            value = values.get((indicator.pk, quarter.number))
            text = selectors.value_text(indicator, value)
            rag = (
                rag_for(value.value, indicator.target, indicator.amber_margin, indicator.direction)
                if value is not None and not indicator.target_due_on
                else Rag.NONE
            )
            cells.append((text, rag, RAG_TAG_CLASSES[rag]))
            if value is not None:
                combined.add(value.value, value.numerator, value.denominator)
            points.append(
                charts.Point(
                    label=charts.short_label(year, quarter.number),
                    value=value.value if value is not None else None,
                    text=indicator.format_value(value.value) if value is not None and value.value is not None else "",
                    rag=rag,
                )
            )
        reported_quarters = sum(1 for q in quarters if (indicator.pk, q.number) in values)
        year_target = indicator.target
        if indicator.target_due_on:
            total = (earlier.get(indicator.pk) or Decimal("0")) + combined.total
            year_target = indicator.expected_by(quarters[-1].end)
            year_text = f"{indicator.format_value(total)} delivered to date"
            year_value = total
        else:
            if indicator.target is not None and indicator.unit in {Unit.COUNT, Unit.MONEY}:
                year_target = indicator.target * reported_quarters if reported_quarters else None
            year_text = combined.text(indicator)
            year_value = combined.value
        year_rag = rag_for(
            year_value,
            year_target,
            indicator.amber_margin * (reported_quarters or 1)
            if indicator.unit in {Unit.COUNT, Unit.MONEY} and not indicator.target_due_on
            else indicator.amber_margin,
            indicator.direction,
        )
        rows.append(
            {
                "indicator": indicator,
                "cells": cells,
                "year_text": year_text,
                "year_target": indicator.format_value(year_target) if year_target is not None else "No target",
                "year_rag": year_rag,
                "year_rag_label": Rag(year_rag).label,
                "year_rag_tag": RAG_TAG_CLASSES[year_rag],
                "chart": charts.trend_svg(
                    title=f"{indicator.name}, {financial_year_label(year)} by quarter",
                    points=points,
                    target=None if indicator.target_due_on else indicator.target,
                    target_text=indicator.format_value(indicator.target) if indicator.target is not None else "",
                    fluid=True,
                ),
            }
        )
    return {
        "mode": "year",
        "financial_year": year,
        "quarters": quarters,
        "slots": [selectors.ReturnSlot(contract, q, returns.get(q.number), timezone.localdate()) for q in quarters],
        "year_groups": selectors.group_by_question(
            [r for r in rows if r["indicator"].question != Question.SOCIAL_VALUE], lambda r: r["indicator"].question
        ),
        "social_value_rows": [r for r in rows if r["indicator"].question == Question.SOCIAL_VALUE],
        "narratives": [(q, reported[q.number]) for q in quarters if q.number in reported],
    }


# The lot's quarterly summary -----------------------------------------------------------------------------------


def lot_summary_context(document: GeneratedDocument) -> dict[str, Any]:
    lot = Lot.objects.select_related("framework").get(pk=document.target_id)
    quarter = Quarter(int(document.params["financial_year"]), int(document.params["quarter"]))
    summary = selectors.lot_summary(lot=lot, quarter=quarter, today=timezone.localdate())
    rows = []
    for indicator in summary["indicators"]:
        rows.append(
            {
                "indicator": indicator,
                "combined": summary["combined"][indicator.code],
                "providers": [
                    (
                        column.contract,
                        column.values[indicator.code][0],
                        Rag(column.values[indicator.code][1]).label,
                        column.values[indicator.code][1],
                    )
                    for column in summary["columns"]
                ],
            }
        )
    return {
        **summary,
        "groups": selectors.group_by_question(rows, lambda r: r["indicator"].question),
        "legend": [(rag.label, RAG_TAG_CLASSES[rag]) for rag in Rag],
    }


register_report(
    CONTRACT_REPORT,
    title=contract_report_title,
    template="monitoring/pdf/contract_report.html",
    build_context=contract_report_context,
    can_request=_contract_requesters,
    can_view=_contract_readers,
)
register_report(
    LOT_SUMMARY,
    title=lot_summary_title,
    template="monitoring/pdf/lot_summary.html",
    build_context=lot_summary_context,
    can_request=_lot_requesters,
    can_view=_lot_readers,
)
