"""Who may see and change contracts.

Officers manage the register (staff pages and the admin). Provider users read their own supplier's
contracts and mark their meeting actions done; every object is scoped to their supplier (404 otherwise).
Officers read the contracts of their authority and the call-offs from frameworks it leads, and manage
those their authority buys (`commissioning.rules`); others' are a 404. Evaluators and partner
commissioners have no access to contracts.
"""

import rules

from commissioning.rules import (
    acts_for_running_authority,
    is_officer,
    is_platform_admin,
    is_provider,
    officers_manage,
    reads_for_authority,
)


@rules.predicate
def is_contract_supplier(user, contract) -> bool:
    """The user acts for the contract's (lead) supplier."""
    if contract is None:
        return False
    membership = getattr(user, "supplier_membership", None)
    return membership is not None and membership.supplier_id == contract.supplier_id


@rules.predicate
def owns_action(user, action) -> bool:
    if action is None:
        return False
    return is_contract_supplier(user, action.meeting.contract)


@rules.predicate
def acts_for_action_contract(user, action) -> bool:
    """The user acts for the buying authority of the contract whose meeting set this action."""
    return action is not None and acts_for_running_authority(user, action.meeting.contract)


# Staff pages: the register, contract detail, funding envelope, pipeline and Panel report.
# Platform administrators read these pages across authorities (and change nothing).
rules.add_perm("contracts.view_register", is_officer | is_platform_admin)
# Lifecycle moves: go live, exercise an extension, record a variation, terminate, set scope.
rules.add_perm("contracts.manage_lifecycle", is_officer)
# Procurement Act notices: previews, schema checks and recording publication (objects scoped to the
# officer's authority by the selectors and the service).
rules.add_perm("contracts.manage_notices", is_officer)
officers_manage("contracts", "notice", "threshold", actions=("view",))
# The provider portal's contract pages (objects scoped to the provider's supplier).
rules.add_perm("contracts.view_own_contracts", is_provider)
rules.add_perm("contracts.read_contract", reads_for_authority | (is_provider & is_contract_supplier))
# Marking a meeting action done: officers for any contract, providers for their own contracts. The
# view requires `mark_actions_done`; the object check `complete_action` then scopes it (404 otherwise).
rules.add_perm("contracts.mark_actions_done", is_officer | is_provider)
rules.add_perm("contracts.complete_action", acts_for_action_contract | (is_provider & owns_action))

officers_manage(
    "contracts",
    "contract",
    "extensionoption",
    "contractyearvalue",
    "contractfunding",
    "socialvalueproposal",
    "socialvaluecommitment",
    "contractmeeting",
    "meetingaction",
    "milestone",
)
officers_manage(
    "contracts",
    "extensionoption",
    "contractyearvalue",
    "contractfunding",
    "socialvaluecommitment",
    "contractmeeting",
    "meetingaction",
    "milestone",
    actions=("delete",),
)
# Exercised extensions and variations are records of decisions: read-only in the admin.
officers_manage("contracts", "extension", "variation", actions=("view",))

from .award import rules as award_rules  # noqa: E402,F401  (the award stage's permissions)
from .funding import rules as funding_rules  # noqa: E402,F401  (funding streams and contributions)
from .grants import rules as grants_rules  # noqa: E402,F401  (grant rounds, decisions, agreements)
