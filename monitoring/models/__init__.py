"""Quarterly performance monitoring: KPI templates per lot, each contract's own indicator set, return
periods (financial-year quarters), quarterly returns with their figures, breakdowns and narrative, the
officer's reviews, and RAG ratings against targets.

Models hold fields, constraints and cheap derived values. Every write and lifecycle move is in
`services.py`; reads that cross relations are in `selectors.py`.

Returns carry aggregate figures only. Nothing here holds a victim's name, date of birth, address or
case reference, and the forms say so.

Laid out as `breakdowns` (how figures are broken down), `indicators` (RAG ratings, KPI templates and each
contract's indicators) and `returns` (periods, returns, their values and reviews); the dashboard's tallies
are in `monitoring.tally_models`. This package re-exports every name.
"""

from .breakdowns import BREAKDOWN_CHOICES, BREAKDOWNS, NOT_KNOWN, Breakdown, validate_breakdown_keys
from .indicators import (
    RAG_COLOURS,
    RAG_TAG_CLASSES,
    ContractIndicator,
    Direction,
    Indicator,
    IndicatorFields,
    Kind,
    KPITemplate,
    Question,
    Rag,
    Unit,
    lower_first,
    rag_for,
)
from .returns import (
    NOT_STARTED,
    NOT_STARTED_LABEL,
    QuarterlyReturn,
    ReturnPeriod,
    ReturnReview,
    ReturnValue,
    Timeliness,
    return_document_path,
    timeliness,
)

# isort: split
from ..tally_models import ReturnTally  # its own module, loaded with the app's models

__all__ = [
    "NOT_KNOWN",
    "Breakdown",
    "BREAKDOWNS",
    "BREAKDOWN_CHOICES",
    "validate_breakdown_keys",
    "Rag",
    "RAG_TAG_CLASSES",
    "RAG_COLOURS",
    "rag_for",
    "Question",
    "Kind",
    "Unit",
    "Direction",
    "KPITemplate",
    "IndicatorFields",
    "lower_first",
    "Indicator",
    "ContractIndicator",
    "ReturnPeriod",
    "return_document_path",
    "NOT_STARTED",
    "NOT_STARTED_LABEL",
    "Timeliness",
    "timeliness",
    "QuarterlyReturn",
    "ReturnValue",
    "ReturnReview",
    "ReturnTally",
]
