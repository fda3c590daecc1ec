"""The lifecycles of the award stage as tables, each in one place (the pattern of `monitoring/services.py`):
for each move, the statuses it may start from and where it leads (None: allowed there, the status stays).
Services ask `next_status` before they change anything; a move not in the table raises
`commissioning.lifecycle.IllegalMove` with a plain message.

    Competition: draft → published → closed (responses opened) → evaluated → awarded (standstill)
                 → contracted; or cancelled before an award.
    Response:    draft → submitted (withdrawn and resubmitted until the closing time) → opened → scored
                 → successful or unsuccessful.
    Direct award: requested (its Social Value Proposal evaluated) → approved or rejected.
"""

from __future__ import annotations

from commissioning.lifecycle import Lifecycle

from .models import Competition, DirectAward, Tender

C = Competition.Status
T = Tender.Status
D = DirectAward.Status

COMPETITION = Lifecycle(
    thing="A competition",
    statuses=C,
    transitions={
        "edit": {C.DRAFT: None},
        "publish": {C.DRAFT: C.PUBLISHED},
        "take_questions": {C.PUBLISHED: None},
        "move_closing_time": {C.PUBLISHED: None},
        "open": {C.PUBLISHED: C.CLOSED},
        "assign_evaluators": {C.CLOSED: None},
        "complete_evaluation": {C.CLOSED: C.EVALUATED},
        "decide_lot": {C.EVALUATED: None, C.AWARDED: None},
        "award": {C.EVALUATED: C.AWARDED},
        "create_contract": {C.EVALUATED: None, C.AWARDED: None},
        "contract": {C.AWARDED: C.CONTRACTED},
        "cancel": dict.fromkeys((C.DRAFT, C.PUBLISHED, C.CLOSED, C.EVALUATED), C.CANCELLED),
    },
    refusals={
        "edit": "be changed",
        "publish": "be published",
        "take_questions": "take clarification questions",
        "move_closing_time": "have its closing time moved",
        "open": "have its responses opened",
        "assign_evaluators": "have evaluators assigned",
        "complete_evaluation": "be evaluated",
        "decide_lot": "have a lot decided",
        "award": "be awarded",
        "create_contract": "have a contract created from an award",
        "contract": "be contracted",
        "cancel": "be cancelled",
    },
    names={C.CLOSED: "closed", C.AWARDED: "awarded"},
    hints={
        ("publish", C.PUBLISHED): "It is already published.",
        **{
            ("decide_lot", status): "Decide on a lot once every opened response has been scored and moderated."
            for status in (C.PUBLISHED, C.CLOSED)
        },
    },
)

TENDER = Lifecycle(
    thing="A response",
    statuses=T,
    transitions={
        "edit": {T.DRAFT: None, T.WITHDRAWN: None},
        "submit": {T.DRAFT: T.SUBMITTED, T.WITHDRAWN: T.SUBMITTED},
        "withdraw": {T.SUBMITTED: T.WITHDRAWN},
        "open": {T.SUBMITTED: T.OPENED},
        "score": {T.OPENED: None},
        "moderate": {T.OPENED: None, T.SCORED: None},
        "complete_scoring": {T.OPENED: T.SCORED},
        "win": {T.SCORED: T.SUCCESSFUL},
        "lose": {T.OPENED: T.UNSUCCESSFUL, T.SCORED: T.UNSUCCESSFUL},
    },
    refusals={
        "edit": "be changed",
        "submit": "be submitted",
        "withdraw": "be withdrawn",
        "open": "be opened",
        "score": "be scored",
        "moderate": "be moderated",
        "complete_scoring": "be marked as scored",
        "win": "be successful",
        "lose": "be unsuccessful",
    },
    hints={("edit", T.SUBMITTED): "Withdraw it to change it."},
)

DIRECT_AWARD = Lifecycle(
    thing="A direct award",
    statuses=D,
    transitions={
        "evaluate": {D.REQUESTED: None},
        "approve": {D.REQUESTED: D.APPROVED},
        "reject": {D.REQUESTED: D.REJECTED},
    },
    refusals={
        "evaluate": "have its Social Value Proposal evaluated",
        "approve": "be approved",
        "reject": "be rejected",
    },
    names={D.REQUESTED: "awaiting approval", D.APPROVED: "approved"},
)
