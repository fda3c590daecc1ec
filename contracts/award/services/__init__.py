"""Every write and state change of the award stage, one module per step. Each function is keyword-only,
takes the acting user as `by=`, checks the rule, runs in a transaction, writes the audit trail and queues
its side effects for after the commit. A refused move raises `AwardRuleError`, whose messages are shown
to the user as they are (keyed by form field where they concern one); an illegal lifecycle move raises its
subclass `IllegalMove` (see `contracts.award.lifecycles`). Evaluation (evaluators, declarations, scores,
moderation) is the one mechanism of `frameworks.evaluation`."""

from .clarifications import answer_question, ask_question
from .closing_time import confirm_closing_time, move_closing_time, withdraw_closing_time_proposal
from .common import TRANSITIONS, AwardRuleError, contract_total
from .competitions import (
    DEFAULT_CRITERIA,
    cancel_competition,
    create_competition,
    criteria_problems,
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
    direct_award_social_value_required,
    reject_direct_award,
    request_direct_award,
)
from .evaluation import refresh_evaluation
from .opening import confirm_opening, request_opening
from .tenders import (
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
    "cancel_competition",
    "confirm_opening",
    "contract_total",
    "copy_social_value",
    "create_award_contract",
    "create_competition",
    "criteria_problems",
    "decide_award",
    "decide_no_award",
    "direct_award_social_value_required",
    "json_ready",
    "lock_tender",
    "move_closing_time",
    "confirm_closing_time",
    "withdraw_closing_time_proposal",
    "publication_problems",
    "publish_competition",
    "refresh_evaluation",
    "reject_direct_award",
    "request_direct_award",
    "request_opening",
    "save_criteria",
    "save_lots",
    "save_tender",
    "send_invitations",
    "social_value_needed",
    "start_tender",
    "submission_problems",
    "submit_tender",
    "update_competition",
    "withdraw_tender",
]
