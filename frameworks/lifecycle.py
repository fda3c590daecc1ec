"""The lifecycle of an application, in one place (the pattern of `monitoring/services.py`):

    draft → submitted → (clarification requested → submitted) → evaluated → decided
    withdrawn at any point before a decision

Services ask `APPLICATION.next_status(move, status)` before they change anything; a move the table does
not list raises `commissioning.lifecycle.IllegalMove`. Moves whose target is None are allowed only in the
statuses listed and leave the status as it is.
"""

from __future__ import annotations

from commissioning.lifecycle import Lifecycle

from .models import Application

Status = Application.Status
BEFORE_A_DECISION = (Status.DRAFT, Status.SUBMITTED, Status.CLARIFICATION, Status.EVALUATED)
IN_EVALUATION = (Status.SUBMITTED, Status.CLARIFICATION)

APPLICATION = Lifecycle(
    thing="An application",
    statuses=Status,
    transitions={
        "edit": {Status.DRAFT: None},
        "submit": {Status.DRAFT: Status.SUBMITTED},
        "withdraw": dict.fromkeys(BEFORE_A_DECISION, Status.WITHDRAWN),
        "request_clarification": {Status.SUBMITTED: Status.CLARIFICATION, Status.CLARIFICATION: None},
        # Back to submitted once the last open question is answered; an answer that arrives after the
        # evaluation ended is kept and changes nothing.
        "answer_clarification": {Status.CLARIFICATION: Status.SUBMITTED, Status.EVALUATED: None},
        "assign_evaluators": dict.fromkeys(IN_EVALUATION),
        "score": dict.fromkeys(IN_EVALUATION),
        "moderate": dict.fromkeys((*IN_EVALUATION, Status.EVALUATED)),
        "complete_evaluation": {**dict.fromkeys(IN_EVALUATION, Status.EVALUATED), Status.EVALUATED: None},
        "decide_lot": {Status.EVALUATED: None},
        "decide": {Status.EVALUATED: Status.DECIDED},
    },
    refusals={
        "edit": "be changed",
        "submit": "be submitted",
        "withdraw": "be withdrawn",
        "request_clarification": "be asked for a clarification",
        "answer_clarification": "have a clarification answered",
        "assign_evaluators": "have evaluators assigned",
        "score": "be scored",
        "moderate": "be moderated",
        "complete_evaluation": "be evaluated",
        "decide_lot": "have a lot decided",
        "decide": "be decided",
    },
    hints={
        **{("decide_lot", status): "Decide once it has been evaluated and moderated." for status in IN_EVALUATION},
        ("edit", Status.SUBMITTED): "What was submitted is kept as it is.",
    },
)
