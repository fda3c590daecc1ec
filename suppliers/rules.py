"""Who may see and change supplier organisations."""

from commissioning.rules import officers_manage

officers_manage("suppliers", "supplier", "suppliermembership")

import rules  # noqa: E402

from commissioning.rules import is_officer, is_provider  # noqa: E402


@rules.predicate
def is_supplier_admin(user) -> bool:
    membership = getattr(user, "supplier_membership", None)
    return bool(membership and membership.is_admin)


rules.add_perm("suppliers.manage_own_organisation", is_provider)
rules.add_perm("suppliers.invite_colleagues", is_provider & is_supplier_admin)
rules.add_perm("suppliers.view_supplier_files", is_officer)
officers_manage("suppliers", "accreditation", "supplierdocument", "invitation", "duplicatecheck")
