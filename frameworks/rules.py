import rules  # noqa: E402

from commissioning.rules import is_evaluator, is_officer, is_provider, officers_manage  # noqa: E402

from . import partner_rules  # noqa: F401

# Applying is for provider users; the views scope every object to the user's own supplier (404 otherwise).
rules.add_perm("frameworks.apply", is_provider)
# Evaluators (and officers acting as evaluators) see only what is assigned to them.
rules.add_perm("frameworks.evaluate", is_evaluator | is_officer)
rules.add_perm("frameworks.run_selection", is_officer)
# Officers moderate evaluations (of applications, competition responses and direct awards); the page
# scopes what is moderated to the officer's authority.
rules.add_perm("frameworks.moderate", is_officer)
rules.add_perm("frameworks.evaluator_home", is_evaluator)

officers_manage(
    "frameworks",
    "framework",
    "lot",
    "applicationwindow",
    "selectionquestion",
    "appointment",
    "evaluationassignment",
    "clarification",
)
officers_manage(
    "frameworks", "application", "applicationlot", "answer", "consortiummember", "moderatedscore", actions=("view",)
)
