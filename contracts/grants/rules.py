"""Who may run grant rounds: officers of the authority running the round (objects scoped by selectors)."""

import rules

from commissioning.rules import is_officer

rules.add_perm("contracts.manage_grants", is_officer)
