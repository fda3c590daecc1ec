"""Reads of performance monitoring, scoped to the user and with a fixed number of queries.

- the provider's contracts and the quarters they owe returns for;
- the officers' returns dashboard (per framework, lot, provider and quarter);
- a return with each value beside its target, its RAG rating and the last four quarters;
- aggregates across providers per lot, area and quarter, half-years and the year: counts and pounds are
  summed, percentages are worked out again from the summed numerators and denominators (never averaged);
  days and percentages entered without counts cannot be combined, so their range is shown instead."""

# ruff: noqa: F401
from .aggregates import (
    PERIOD_COLUMNS,
    Aggregate,
    AggregateRow,
    Combined,
    ValueRow,
    _contracts_of,
    _template_indicators,
    aggregate,
    aggregate_areas,
    aggregate_rows,
    aggregate_years,
    attribute_to_area,
    lots_with_templates,
    readable_lots,
)
from .common import (
    REPORTED,
    STATUS_TAGS,
    TIMELINESS_TAGS,
    Status,
    default_quarter,
    group_by_question,
    parse_quarter,
    quarter_key,
    status_label,
)
from .dashboard import (
    COUNTED,
    COUNTED_TIMELINESS,
    DASHBOARD_COLUMNS,
    DASHBOARD_SEARCH,
    Dashboard,
    DashboardFilters,
    DashboardSlots,
    _tally,
    _timeliness_in_sql,
    dashboard,
    dashboard_choices,
)
from .detail import (
    IndicatorRow,
    _AreaLike,
    _periods_back,
    indicator_rows,
    rag_summary,
    return_for_officer,
    returns_for_officer,
    target_text,
    value_text,
)
from .lot_summary import ProviderColumn, lot_summary
from .provider import (
    ReturnSlot,
    contract_for_provider,
    indicators_of,
    provider_contracts,
    provider_overview,
    quarters_of,
    return_of,
    reviews_of,
)
