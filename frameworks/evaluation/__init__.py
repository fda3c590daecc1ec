"""One evaluation mechanism for everything the portal evaluates: applications to a framework, responses
to a competition and direct awards' Social Value Proposals.

Evaluators are assigned by an officer of the authority that runs it (at least two, free of any conflict
of interest), declare conflicts before seeing anything, score each criterion independently with a
comment, and an officer moderates an agreed score with a reason while every individual score is kept.
What differs per kind is configuration, registered by each app (`kinds.py`); the rules are in
`checks.py`, the moves in `services.py` and the one declare-and-score page in `views.py`.
"""

from .bases import EvaluationAssignmentBase, ModeratedScoreBase, ScoreBase
from .checks import (
    EvaluationRuleError,
    MissingScore,
    ScoresMissing,
    check_agreed_score,
    eligible_evaluators,
    require_scores_in,
)
from .kinds import EvaluationKind, Evidence, Heading, Item, Table, kind_for, kind_named, register, registered
from .services import (
    assign_evaluators,
    assignable_evaluators,
    declare_conflict,
    moderate,
    save_scores,
    submitted_scores,
    visible_scores,
)

__all__ = [
    "EvaluationAssignmentBase",
    "EvaluationKind",
    "EvaluationRuleError",
    "Evidence",
    "Heading",
    "Item",
    "MissingScore",
    "ModeratedScoreBase",
    "ScoreBase",
    "ScoresMissing",
    "Table",
    "assign_evaluators",
    "assignable_evaluators",
    "check_agreed_score",
    "declare_conflict",
    "eligible_evaluators",
    "kind_for",
    "kind_named",
    "moderate",
    "register",
    "registered",
    "require_scores_in",
    "save_scores",
    "submitted_scores",
    "visible_scores",
]
