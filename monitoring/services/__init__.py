"""Every write in performance monitoring: indicator sets and targets, and the quarterly return
lifecycle.

Each function is keyword-only, takes the acting user as `by=`, checks the rule, runs in a transaction
and writes an audit event. Illegal moves raise `ReturnRuleError`, a `ValidationError` keyed by the form
field it concerns (or `__all__`), so views show it next to the field and in the error summary.

The lifecycle of a return, in one place (`TRANSITIONS`):

    not started (no row) → draft → submitted → accepted
                                      ↘ returned for amendment → resubmitted → accepted
                                                 ↖______________________↙ (returned again)"""

# The public writes and rules, re-exported so callers say `services.save_return`; the helpers the modules
# share stay in them (`common`, `emails`, `indicators`, `returns`).
# ruff: noqa: F401
from .common import (
    NARRATIVE_FIELDS,
    TRANSITIONS,
    FigureErrors,
    IllegalReturnMove,
    ReturnRuleError,
    Status,
    contract_areas,
    next_status,
    return_is_due,
)
from .indicators import (
    set_targets,
    set_up_indicators,
    set_up_missing_indicators,
    template_for,
)
from .returns import (
    accept_return,
    import_spreadsheet,
    raw_from_values,
    return_for_amendment,
    save_and_submit_return,
    save_return,
    set_due_date,
    submission_problems,
    submit_return,
)
