"""Who may run grant rounds (officers of the authority running the round) and apply for grants (provider
users, for their own organisation); objects are scoped by selectors."""

import rules

from commissioning.rules import is_officer, is_provider

rules.add_perm("contracts.manage_grants", is_officer)
rules.add_perm("contracts.apply_for_grants", is_provider)
