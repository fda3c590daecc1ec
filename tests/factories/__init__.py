"""Plain factory functions for tests: each makes a valid object and takes overrides."""

from __future__ import annotations

from itertools import count

from django.utils import timezone

from commissioning.models import Area, Authority, User
from suppliers.models import Supplier, SupplierMembership

PASSWORD = "a-long-test-password-42"
_seq = count(1)


def make_authority(**overrides) -> Authority:
    n = next(_seq)
    values = {"name": f"Test Authority {n}", "kind": Authority.Kind.LOCAL_AUTHORITY}
    values.update(overrides)
    return Authority.objects.create(**values)


def make_area(**overrides) -> Area:
    n = next(_seq)
    values = {"name": f"Area {n}", "code": f"area-{n}", "region": "Test"}
    values.update(overrides)
    return Area.objects.create(**values)


def make_supplier(**overrides) -> Supplier:
    n = next(_seq)
    values = {
        "legal_name": f"Test Support Services {n}",
        "kind": Supplier.Kind.CHARITY,
        "is_vcse": True,
        "charity_number": f"11{n:05d}",
    }
    values.update(overrides)
    return Supplier.objects.create(**values)


def make_user(role: str = User.Role.OFFICER, *, supplier: Supplier | None = None, **overrides) -> User:
    n = next(_seq)
    values = {"email": f"user{n}@example.org", "full_name": f"Test User {n}", "role": role}
    if role in {User.Role.OFFICER, User.Role.EVALUATOR, User.Role.PARTNER} and "authority" not in overrides:
        values["authority"] = make_authority(
            kind=Authority.Kind.OPCC if role != User.Role.PARTNER else Authority.Kind.LOCAL_AUTHORITY
        )
    if role in User.STAFF_ROLES:
        values["is_staff"] = True
    if role == User.Role.ADMINISTRATOR:
        values["role_approved_at"] = timezone.now()  # as `createsuperuser` makes one: from the command line
    values.update(overrides)
    user = User.objects.create_user(password=PASSWORD, **values)
    if role == User.Role.PROVIDER:
        SupplierMembership.objects.create(user=user, supplier=supplier or make_supplier(), is_admin=True)
    return user


def make_established(role: str = User.Role.OFFICER, **overrides) -> User:
    """An account whose role a second platform administrator approved: it may be the second person of a
    two-person step (opening tenders, approving a direct award) the day it is made."""
    approver = overrides.pop("approved_by", None) or make_user(User.Role.ADMINISTRATOR)
    return make_user(role, role_approved_at=timezone.now(), role_approved_by=approver, **overrides)
