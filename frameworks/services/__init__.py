"""Every write and state change in selection: applications, clarifications, decisions and appointments
(evaluation and moderation are the one mechanism of `frameworks.evaluation`). Each function takes the
acting user, checks the rule and the application's lifecycle (`lifecycle.APPLICATION`), runs in a
transaction and writes the audit trail."""

# ruff: noqa: F401
from .applying import (
    CONSENT_REQUIRED,
    Status,
    accreditation_gaps,
    consent_wording,
    save_answers,
    save_consent,
    save_consortium,
    save_lots,
    start_application,
    submission_problems,
    submit_application,
    withdraw_application,
)
from .common import (
    SelectionRuleError,
    _applicant_emails,
    _closing_text,
    _email_applicant,
    _lock,
    _require_editable,
    _require_officer_of,
    _require_provider_of,
    portal_url,
)
from .decisions import (
    _appointment_changed,
    appoint,
    change_appointment_status,
    decide_lot,
    request_clarification,
    respond_to_clarification,
)
from .imports import (
    IMPORT_BATCH,
    IMPORT_CHANGE_REASON,
    LOOKUP_CHUNK,
    ApprovedListImport,
    ImportedAppointment,
    ImportRowsError,
    bulk_history,
    check_imported_appointment,
    chunked,
    import_appointments,
    supplier_name_key,
    suppliers_by_name,
)
