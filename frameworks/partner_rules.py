"""Who may read the shared approved list, its coverage, and the officer's export and history.

Partner commissioners read only frameworks whose `partner_authorities` name their authority; for any
other framework the views answer 404, so a partner cannot even learn that a framework exists.
Officers read the frameworks they act for (`commissioning.rules.acts_for_running_authority`: today those
their authority leads). Platform administrators take no commissioning decisions.

Imported from `frameworks/rules.py`, which `rules` autodiscovers.
"""

from __future__ import annotations

import rules

from commissioning.rules import acts_for_running_authority, is_officer, is_partner


@rules.predicate
def framework_shared_with_user(user, framework) -> bool:
    """The framework names the user's authority among its partner authorities."""
    if framework is None or not getattr(user, "authority_id", None):
        return False
    return framework.partner_authorities.filter(pk=user.authority_id).exists()


# Object-level: may this user read this framework's shared approved list?
can_view_shared_framework = is_partner & framework_shared_with_user
# Object-level: may this user read this framework's coverage matrix and its cells?
can_view_coverage = acts_for_running_authority | (is_partner & framework_shared_with_user)
# Object-level: may this officer export this framework's whole approved list and read its history?
can_manage_approved_list = acts_for_running_authority

# Role-level permissions, checked by the views' `permission_required` before any object is loaded.
rules.add_perm("frameworks.view_shared_frameworks", is_partner)
rules.add_perm("frameworks.view_coverage", is_officer | is_partner)
rules.add_perm("frameworks.export_coverage", is_officer)
rules.add_perm("frameworks.export_approved_list", is_officer)
rules.add_perm("frameworks.view_appointment_history", is_officer)
