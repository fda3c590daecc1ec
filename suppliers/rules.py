"""Who may see and change supplier organisations.

Officers correct organisations' records and accreditations in the admin (through the services). Who acts
for an organisation changes only by an invitation the invitee accepts: memberships are read-only, and
invitations are the organisation's own administrators' to send (or a platform administrator's, in the
admin). Supplier documents are uploaded by the supplier; officers read them.
"""

import rules

from commissioning.rules import administrators_manage, is_officer, is_provider, officers_manage


@rules.predicate
def is_supplier_admin(user) -> bool:
    membership = getattr(user, "supplier_membership", None)
    return bool(membership and membership.is_admin)


officers_manage("suppliers", "supplier", "accreditation")
officers_manage("suppliers", "suppliermembership", "supplierdocument", actions=("view",))
administrators_manage("suppliers", "invitation", actions=("view", "add"))

rules.add_perm("suppliers.manage_own_organisation", is_provider)
rules.add_perm("suppliers.invite_colleagues", is_provider & is_supplier_admin)
rules.add_perm("suppliers.view_supplier_files", is_officer)
officers_manage("suppliers", "duplicatecheck")
