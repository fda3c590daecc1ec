"""Who may use the award stage's pages. Views also scope every object to the user (404 otherwise):
officers to competitions and direct awards of their own authority, providers to their own
supplier's responses, evaluators to what is assigned to them; nobody reaches a response's content
before it is opened (see selectors)."""

import rules

from commissioning.rules import is_evaluator, is_officer, is_provider, officers_manage

# Officers run competitions and direct awards (staff pages and the admin).
rules.add_perm("contracts.run_competitions", is_officer)
# Provider users see invitations and open opportunities, ask questions and respond.
rules.add_perm("contracts.tender", is_provider)
# Evaluators, and officers acting as evaluators, score what is assigned to them.
rules.add_perm("contracts.evaluate_awards", is_evaluator | is_officer)

# The admin: officers read the award records there; every move is made on the staff pages (through the
# services). Tenders are listed, never with their content, once opened.
officers_manage(
    "contracts",
    "competition",
    "tender",
    "award",
    "noaward",
    "directaward",
    "clarificationquestion",
    "competitioninvitation",
    actions=("view",),
)
