"""Every write to the contracts register.

Each function is keyword-only, takes the acting user as `by=`, checks the rule, runs in a transaction,
and writes an audit event against the contract. Illegal moves raise `ContractRuleError`, a
`ValidationError` whose messages are keyed by the form field they concern (or `__all__`), so a view
can show them next to the field and in the error summary.

The award stage (built separately) creates a contract by calling `create_contract(...)` with
`origin=Contract.Origin.AWARD` (or `DIRECT_AWARD`) and `source=<the award>`; a source can create only
one contract."""

# ruff: noqa: F401
from .changes import (
    exercise_extension,
    proposed_extension_values,
    record_contract_ends,
    record_variation,
    set_recommissioning_scope,
    terminate_contract,
)
from .common import (
    ContractRuleError,
    _check_year_in_term,
    _money,
    social_value_required,
    spread_annual_value,
)
from .going_live import (
    activate_contract,
    make_live_by_two,
    needs_second_officer,
    propose_going_live,
)
from .imports import (
    IMPORT_CHANGE_REASON,
    IMPORTED_TERMS,
    ContractImport,
    ContractImportError,
    ImportedContract,
    check_imported_contract,
    import_contracts,
)
from .meetings import (
    add_meeting_action,
    add_milestone,
    complete_action,
    complete_milestone,
    meeting_date_for,
    record_meeting,
    schedule_meetings,
)
from .register import (
    ALWAYS_EDITABLE,
    DRAFT_ONLY,
    DRAFT_ONLY_PARTS,
    M2M_FIELDS,
    create_contract,
    save_contract_part,
    set_funding,
    set_year_value,
    update_contract,
)
from .social_value import accept_social_value_proposal, record_social_value_proposal
