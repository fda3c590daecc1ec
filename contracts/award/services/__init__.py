"""Every write and state change of the award stage, one module per step. Each function is keyword-only,
takes the acting user as `by=`, checks the rule, runs in a transaction, writes the audit trail and queues
its side effects for after the commit. A refused move raises `AwardRuleError`, whose messages are shown
to the user as they are (keyed by form field where they concern one)."""

from .clarifications import answer_question, ask_question
from .common import TRANSITIONS, AwardRuleError, contract_total
from .competitions import (
    DEFAULT_CRITERIA,
    cancel_competition,
    create_competition,
    criteria_problems,
    move_closing_time,
    publication_problems,
    publish_competition,
    save_criteria,
    save_lots,
    send_invitations,
    update_competition,
)
from .decisions import copy_social_value, create_award_contract, decide_award, decide_no_award
from .direct_awards import (
    approve_direct_award,
    assign_direct_award_evaluators,
    declare_direct_award_conflict,
    direct_award_social_value_required,
    moderate_direct_award,
    reject_direct_award,
    request_direct_award,
    save_direct_award_scores,
)
from .evaluation import (
    assign_tender_evaluators,
    declare_tender_conflict,
    eligible_evaluator,
    moderate_tender,
    refresh_evaluation,
    save_tender_scores,
)
from .opening import confirm_opening, request_opening
from .tenders import (
    combined_problems,
    json_ready,
    lock_tender,
    save_tender,
    social_value_needed,
    start_tender,
    submission_problems,
    submit_tender,
    withdraw_tender,
)

__all__ = [
    "AwardRuleError",
    "DEFAULT_CRITERIA",
    "TRANSITIONS",
    "answer_question",
    "approve_direct_award",
    "ask_question",
    "assign_direct_award_evaluators",
    "assign_tender_evaluators",
    "cancel_competition",
    "combined_problems",
    "confirm_opening",
    "contract_total",
    "copy_social_value",
    "create_award_contract",
    "create_competition",
    "criteria_problems",
    "decide_award",
    "decide_no_award",
    "declare_direct_award_conflict",
    "declare_tender_conflict",
    "direct_award_social_value_required",
    "eligible_evaluator",
    "json_ready",
    "lock_tender",
    "moderate_direct_award",
    "moderate_tender",
    "move_closing_time",
    "publication_problems",
    "publish_competition",
    "refresh_evaluation",
    "reject_direct_award",
    "request_direct_award",
    "request_opening",
    "save_criteria",
    "save_direct_award_scores",
    "save_lots",
    "save_tender",
    "save_tender_scores",
    "send_invitations",
    "social_value_needed",
    "start_tender",
    "submission_problems",
    "submit_tender",
    "update_competition",
    "withdraw_tender",
]
