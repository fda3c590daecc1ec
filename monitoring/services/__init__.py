"""Every write in performance monitoring: indicator sets and targets, and the quarterly return
lifecycle.

Each function is keyword-only, takes the acting user as `by=`, checks the rule, runs in a transaction
and writes an audit event. Illegal moves raise `ReturnRuleError`, a `ValidationError` keyed by the form
field it concerns (or `__all__`), so views show it next to the field and in the error summary.

The lifecycle of a return, in one place (`TRANSITIONS`):

    not started (no row) → draft → submitted → accepted
                                      ↘ returned for amendment → resubmitted → accepted
                                                 ↖______________________↙ (returned again)"""

# ruff: noqa: F401
from .common import (
    NARRATIVE_FIELDS,
    TRANSITIONS,
    FigureErrors,
    IllegalReturnMove,
    ReturnRuleError,
    Status,
    _check_due,
    _lock,
    _require_officer,
    _require_provider_of,
    contract_areas,
    next_status,
    return_is_due,
)
from .emails import _email, _officer_emails, _provider_emails
from .indicators import (
    _add_missing_indicators,
    _copy,
    _from_commitment,
    _has_template_copy,
    _set_is_complete,
    _social_value_unit,
    set_targets,
    set_up_indicators,
    set_up_missing_indicators,
    template_for,
)
from .returns import (
    _write_values,
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
