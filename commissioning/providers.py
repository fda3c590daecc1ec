"""The organisation a provider user acts for. Every provider's list and page is scoped by it, so each
app's selectors ask here rather than reading the membership themselves."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from commissioning.models import User
    from suppliers.models import Supplier


def supplier_of(user: User) -> Supplier | None:
    """The user's supplier; None for anyone who is not a member of one (officers, anonymous users)."""
    membership = getattr(user, "supplier_membership", None)
    return membership.supplier if membership is not None else None


def supplier_id_of(user: User) -> int | None:
    """The key of the user's supplier, without reading the supplier's row; None as for `supplier_of`."""
    membership = getattr(user, "supplier_membership", None)
    return membership.supplier_id if membership is not None else None
