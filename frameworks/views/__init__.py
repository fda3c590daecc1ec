"""Selection-stage pages for providers, evaluators and officers. Views check access, validate the
form, call one service and redirect; reads come from selectors scoped to the user.

Laid out as `provider`, `evaluator` (with the partner commissioners' home) and `officer`, with the
permission names and the file helpers they share in `common`; this package re-exports every view.
"""

from .common import APPLY, EVALUATE, RUN
from .evaluator import (
    evaluator_accreditation_file,
    evaluator_answer_file,
    evaluator_document_file,
    evaluator_home,
    partner_home,
)
from .officer import (
    _officer_framework,
    appointment_status,
    approved_list,
    decide,
    officer_accreditation_file,
    officer_answer_file,
    officer_application,
    officer_applications,
    officer_document_file,
    officer_frameworks,
)
from .provider import (
    application_receipt,
    autosave,
    check_answers,
    clarification_respond,
    edit_consent,
    edit_consortium,
    edit_lots,
    edit_section,
    opportunities,
    provider_answer_file,
    provider_application,
    provider_home,
    start_application,
    task_list,
    withdraw,
)

__all__ = [
    "APPLY",
    "EVALUATE",
    "RUN",
    "provider_home",
    "opportunities",
    "start_application",
    "task_list",
    "edit_lots",
    "edit_consortium",
    "edit_consent",
    "edit_section",
    "autosave",
    "check_answers",
    "application_receipt",
    "provider_application",
    "withdraw",
    "clarification_respond",
    "provider_answer_file",
    "partner_home",
    "evaluator_home",
    "evaluator_answer_file",
    "evaluator_accreditation_file",
    "evaluator_document_file",
    "officer_frameworks",
    "officer_applications",
    "officer_application",
    "decide",
    "approved_list",
    "appointment_status",
    "officer_answer_file",
    "officer_accreditation_file",
    "officer_document_file",
    "_officer_framework",
]
