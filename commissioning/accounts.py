"""Every change to an account, made by a platform administrator: creating it, setting its role and
authority, sending a password-reset or two-factor set-up link, deactivating and reactivating it.

Separation of duties: officers never manage accounts, and nobody types or sees another person's password.
An officer or administrator role takes effect only once a second, different and established administrator
approves it (a `RoleRequest`); until then the account cannot act in that role.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from . import two_factor
from .audit import record
from .changes import differences, snapshot
from .email import send_after_commit
from .errors import RuleError
from .models import Authority, RoleRequest, User
from .rules import is_established, is_platform_admin

# What the audit trail keeps of an account, before and after each change.
ACCOUNT_FIELDS = ("email", "full_name", "job_title", "role", "authority", "is_active", "is_staff")
# Roles whose people work for an authority.
AUTHORITY_ROLES = frozenset({User.Role.OFFICER, User.Role.EVALUATOR, User.Role.PARTNER})
# Roles an administrator may give here; a supplier's users join their organisation by invitation.
GRANTABLE_ROLES = frozenset({User.Role.OFFICER, User.Role.EVALUATOR, User.Role.PARTNER, User.Role.ADMINISTRATOR})


class AccountRuleError(RuleError):
    """An account rule refused the change."""


def _require_administrator(by: User) -> None:
    if not is_platform_admin(by):
        raise PermissionDenied("Only platform administrators manage accounts.")


def _require_other(user: User, by: User) -> None:
    if user.pk == by.pk:
        raise AccountRuleError("Another administrator must change your own account.")


def _require_open(user: User) -> None:
    """A sign-in link goes only to an open account: a closed one is reopened first."""
    if not user.is_active:
        raise AccountRuleError(f"{user.email}'s account is closed: reopen it first")


def check_role(role: str, authority: Authority | None) -> Authority | None:
    if role not in GRANTABLE_ROLES:
        raise AccountRuleError(
            "A supplier's users join their organisation through an invitation that they accept", field="role"
        )
    if role in AUTHORITY_ROLES and authority is None:
        raise AccountRuleError("Select the authority they work for", field="authority")
    return authority if role in AUTHORITY_ROLES else None


def _lock(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _link(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


def _administrator_emails(*, exclude: User) -> list[str]:
    return list(
        User.objects.filter(role=User.Role.ADMINISTRATOR, is_active=True)
        .exclude(pk=exclude.pk)
        .values_list("email", flat=True)
    )


# --- Creating accounts and setting roles --------------------------------------------------------------


@transaction.atomic
def create_account(
    *,
    by: User,
    email: str,
    full_name: str,
    role: str,
    authority: Authority | None = None,
    job_title: str = "",
    now: datetime | None = None,
) -> User:
    """An account for an officer, evaluator, partner commissioner or administrator. Evaluators and
    partners can act at once; officers and administrators wait for a second administrator's approval,
    closed until then. Its holder chooses their own password through a link e-mailed to them."""
    _require_administrator(by)
    now = now or timezone.now()
    email = User.objects.normalize_email(email.strip()).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise AccountRuleError("An account with this email address already exists", field="email")
    authority = check_role(role, authority)
    needs_approval = role in User.APPROVED_ROLES
    user = User(
        email=email,
        full_name=full_name,
        job_title=job_title,
        role=role,
        authority=authority,
        is_staff=role in User.STAFF_ROLES,
        is_active=not needs_approval,
        role_since=now,
    )
    # A password nobody knows: the holder chooses theirs by the e-mailed link (or the public reset).
    user.set_password(secrets.token_urlsafe(32))
    user.full_clean()
    user.save()
    record("accounts.created", by=by, obj=user, data={"after": snapshot(user, ACCOUNT_FIELDS)})
    if needs_approval:
        _request_role(user=user, role=role, authority=authority, by=by, is_new_account=True)
    else:
        _welcome(user, by=by)
    return user


@transaction.atomic
def change_role(*, user: User, role: str, authority: Authority | None, by: User) -> RoleRequest | None:
    """Give an account another role or authority. An officer or administrator role waits for a second
    administrator (returned: the pending request); any other takes effect at once (None)."""
    _require_administrator(by)
    _require_other(user, by)
    user = _lock(user)
    if User.Role.PROVIDER in (role, user.role):
        raise AccountRuleError(
            "A supplier's users act only for their organisation: close the account and make a new one",
            field="role",
        )
    authority = check_role(role, authority)
    if role == user.role and (authority.pk if authority else None) == user.authority_id:
        return None
    if role in User.APPROVED_ROLES:
        return _request_role(user=user, role=role, authority=authority, by=by, is_new_account=False)
    before = snapshot(user, ACCOUNT_FIELDS)
    _give_role(user, role=role, authority=authority, approved_by=None)
    record(
        "accounts.role_changed",
        by=by,
        obj=user,
        data={"changes": differences(before, snapshot(user, ACCOUNT_FIELDS))},
    )
    if user.enrols_by_link and user.is_active and not two_factor.has_authenticator(user):
        send_two_factor_link(user=user, by=by)
    return None


def _give_role(user: User, *, role: str, authority: Authority | None, approved_by: User | None) -> None:
    now = timezone.now()
    user.role = role
    user.authority = authority
    user.is_staff = role in User.STAFF_ROLES
    user.role_since = now
    user.role_approved_by = approved_by
    user.role_approved_at = now if approved_by is not None else None
    user.save()


def check_no_pending_request(user: User) -> None:
    if RoleRequest.objects.filter(user=user, status=RoleRequest.Status.PENDING).exists():
        raise AccountRuleError("This account already has a request waiting for a second administrator")


def _request_role(*, user: User, role: str, authority: Authority | None, by: User, is_new_account: bool) -> RoleRequest:
    check_no_pending_request(user)
    request = RoleRequest.objects.create(
        user=user, role=role, authority=authority, is_new_account=is_new_account, requested_by=by
    )
    record(
        "accounts.role_requested",
        by=by,
        obj=user,
        data={
            "request": request.pk,
            "role": role,
            "authority": str(authority) if authority else None,
            "new_account": is_new_account,
        },
    )
    send_after_commit(
        to=_administrator_emails(exclude=by),
        subject=f"Approve an account: {user.full_name} as {request.get_role_display().lower()}",
        template="account_approval_needed",
        context={"request": request, "requested_by": by, "url": reverse("admin:commissioning_rolerequest_changelist")},
    )
    return request


@transaction.atomic
def approve_role_request(*, role_request: RoleRequest, by: User) -> User:
    """The second administrator approves: the account becomes active in the role. The one who asked, and
    the account's holder, cannot approve; nor can an administrator whose own role is too new."""
    _require_administrator(by)
    role_request = (
        RoleRequest.objects.select_for_update().select_related("user", "requested_by").get(pk=role_request.pk)
    )
    if role_request.status != RoleRequest.Status.PENDING:
        raise AccountRuleError(f"This request has been {role_request.get_status_display().lower()} already")
    if by.pk in (role_request.requested_by_id, role_request.user_id):
        raise AccountRuleError("A second, different administrator must approve this request")
    if not is_established(by):
        raise AccountRuleError(
            f"Your administrator role is less than {settings.ESTABLISHED_AFTER_DAYS} days old and was not approved "
            "by a second administrator: another administrator must approve this request"
        )
    user = _lock(role_request.user)
    before = snapshot(user, ACCOUNT_FIELDS)
    user.is_active = True
    _give_role(user, role=role_request.role, authority=role_request.authority, approved_by=by)
    role_request.status = RoleRequest.Status.APPROVED
    role_request.decided_by = by
    role_request.decided_at = timezone.now()
    role_request.save()
    record(
        "accounts.role_approved",
        by=by,
        obj=user,
        data={
            "request": role_request.pk,
            "requested_by": role_request.requested_by.email,
            "changes": differences(before, snapshot(user, ACCOUNT_FIELDS)),
        },
    )
    if role_request.is_new_account:
        _welcome(user, by=by)
    elif not two_factor.has_authenticator(user):
        send_two_factor_link(user=user, by=by)
    return user


@transaction.atomic
def refuse_role_request(*, role_request: RoleRequest, by: User, reason: str) -> RoleRequest:
    """Refuse (or, for the one who asked, withdraw) a request. A new account refused stays closed."""
    _require_administrator(by)
    role_request = RoleRequest.objects.select_for_update().get(pk=role_request.pk)
    if role_request.status != RoleRequest.Status.PENDING:
        raise AccountRuleError(f"This request has been {role_request.get_status_display().lower()} already")
    if role_request.user_id == by.pk:
        raise AccountRuleError("Another administrator must decide a request about your own account")
    if not reason.strip():
        raise AccountRuleError("Say why the request is refused", field="reason")
    role_request.status = RoleRequest.Status.REFUSED
    role_request.decided_by = by
    role_request.decided_at = timezone.now()
    role_request.reason = reason.strip()
    role_request.save()
    record("accounts.role_refused", by=by, obj=role_request.user, data={"request": role_request.pk, "reason": reason})
    return role_request


# --- Details, closing and reopening -------------------------------------------------------------------

# Details an administrator may correct. The e-mail address is not among them: changing it would send the
# next password-reset link to someone else's mailbox. A person with a new address gets a new account.
DETAIL_FIELDS = ("full_name", "job_title")


@transaction.atomic
def update_details(*, user: User, by: User, **details: str) -> User:
    _require_administrator(by)
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise AccountRuleError(f"These details are not changed here: {sorted(unknown)}")
    user = _lock(user)
    before = snapshot(user, DETAIL_FIELDS)
    for name, value in details.items():
        setattr(user, name, value)
    user.full_clean()
    changes = differences(before, snapshot(user, DETAIL_FIELDS))
    if changes:
        user.save(update_fields=list(changes))
        record("accounts.details_changed", by=by, obj=user, data={"changes": changes})
    return user


@transaction.atomic
def deactivate_account(*, user: User, by: User) -> User:
    """Close an account: its holder can no longer sign in, and any session of theirs ends."""
    _require_administrator(by)
    _require_other(user, by)
    user = _lock(user)
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    RoleRequest.objects.filter(user=user, status=RoleRequest.Status.PENDING).update(
        status=RoleRequest.Status.REFUSED, decided_by=by, decided_at=timezone.now(), reason="Account closed"
    )
    record("accounts.deactivated", by=by, obj=user, data={"changes": {"is_active": {"before": True, "after": False}}})
    return user


@transaction.atomic
def reactivate_account(*, user: User, by: User) -> RoleRequest | None:
    """Reopen a closed account. An officer or administrator account waits for a second administrator
    again (returned: the pending request)."""
    _require_administrator(by)
    _require_other(user, by)
    user = _lock(user)
    if user.is_active:
        return None
    if user.role in User.APPROVED_ROLES:
        return _request_role(user=user, role=user.role, authority=user.authority, by=by, is_new_account=False)
    user.is_active = True
    user.save(update_fields=["is_active"])
    record("accounts.reactivated", by=by, obj=user, data={"changes": {"is_active": {"before": False, "after": True}}})
    return None


# --- Links: choosing a password, setting up two-factor -------------------------------------------------


def password_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return _link(reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)]))


@transaction.atomic
def send_password_reset(*, user: User, by: User) -> None:
    """E-mail the account's holder a link to choose a new password. Nobody else sees or types it."""
    _require_administrator(by)
    _require_open(user)
    send_after_commit(
        to=[user.email],
        subject="Choose a new password",
        template="account_password_reset",
        context={"user": user, "password_url": password_link(user), "valid_hours": _reset_hours()},
    )
    record("accounts.password_reset_sent", by=by, obj=user)


def _reset_hours() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)


@transaction.atomic
def send_two_factor_link(*, user: User, by: User | None) -> None:
    """E-mail the account's holder a one-time link to set up their authenticator app. Setting it up
    again replaces the authenticator they had."""
    if by is not None:
        _require_administrator(by)
    _require_open(user)
    send_after_commit(
        to=[user.email],
        subject="Set up two-factor authentication",
        template="account_two_factor_link",
        context={
            "user": user,
            "two_factor_url": two_factor.new_link(user, by=by),
            "valid_hours": settings.TWO_FACTOR_LINK_VALID_HOURS,
        },
    )
    record("accounts.two_factor_link_sent", by=by, obj=user)


def _welcome(user: User, *, by: User) -> None:
    """A new account's holder is told how to choose their password and set up two-factor."""
    send_after_commit(
        to=[user.email],
        subject=f"Your account on the {settings.PORTAL_NAME}",
        template="account_created",
        context={
            "user": user,
            "password_url": password_link(user),
            "valid_hours": _reset_hours(),
            "two_factor_url": two_factor.new_link(user, by=by) if user.enrols_by_link else "",
            "two_factor_hours": settings.TWO_FACTOR_LINK_VALID_HOURS,
        },
    )
    if user.enrols_by_link:
        record("accounts.two_factor_link_sent", by=by, obj=user)
