"""Registering an organisation, without telling anyone whether an email address has an account, and
without letting the same organisation exist twice unnoticed.

Registering only starts: the page after it is the same whatever was typed, and an email says what
happened. An address with no account gets a link to confirm it, and following it creates the
organisation and its first user (`confirm_registration`); an address that has an account gets a note
saying so, with the way to sign in or reset the password. An organisation whose charity or company
number, or whose name as it looks, is another's is created and flagged for an officer (`DuplicateCheck`),
who confirms it is a different organisation or rejects it as a duplicate.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from commissioning.audit import record
from commissioning.email import send_after_commit
from commissioning.models import User

from . import services
from .identifiers import name_key
from .models import DuplicateCheck, PendingRegistration, Supplier

CONFIRM_WITHIN = timedelta(days=2)


class RegistrationError(ValidationError):
    """The registration cannot be finished; the message says why."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def start_registration(*, details: dict, full_name: str, email: str, password: str, request=None) -> None:
    """Keep the registration until its address is confirmed, or tell the address's owner that they have an
    account already. Both take the same time and show the same page; only the email differs."""
    email = email.lower()
    hashed = make_password(password)  # in both cases, so the answer takes as long either way
    legal_name = details.get("legal_name", "")
    if User.objects.filter(email__iexact=email).exists():
        send_after_commit(
            to=[email],
            subject=f"You already have an account on the {settings.PORTAL_NAME}",
            template="registration_existing",
            context={
                "legal_name": legal_name,
                "sign_in_url": settings.PORTAL_BASE_URL + reverse("login"),
                "reset_url": settings.PORTAL_BASE_URL + reverse("password_reset"),
            },
        )
        record("supplier.registration_for_existing_account", by=None, data={"email": email}, request=request)
        return
    token = secrets.token_urlsafe(32)
    PendingRegistration.objects.create(
        email=email,
        full_name=full_name,
        password=hashed,
        details={name: details[name] for name in services.SUPPLIER_FIELDS if name in details},
        token_sha256=_digest(token),
    )
    send_after_commit(
        to=[email],
        subject=f"Confirm your email address to register {legal_name}",
        template="registration_confirm",
        context={
            "full_name": full_name,
            "legal_name": legal_name,
            "confirm_url": settings.PORTAL_BASE_URL + reverse("suppliers:confirm_registration", args=[token]),
            "hours": int(CONFIRM_WITHIN.total_seconds() // 3600),
        },
    )
    record("supplier.registration_started", by=None, data={"email": email, "legal_name": legal_name}, request=request)


def pending_for(token: str) -> PendingRegistration | None:
    """The registration a link confirms, while it may still be confirmed."""
    return PendingRegistration.objects.filter(
        token_sha256=_digest(token), confirmed_at__isnull=True, created_at__gte=timezone.now() - CONFIRM_WITHIN
    ).first()


@transaction.atomic
def confirm_registration(*, token: str, request=None) -> User:
    """Create the organisation and its first user, now that the address is theirs."""
    pending = (
        PendingRegistration.objects.select_for_update()
        .filter(pk=getattr(pending_for(token), "pk", None), confirmed_at__isnull=True)
        .first()
    )
    if pending is None:
        raise PermissionDenied("This link has expired or has been used.")
    if User.objects.filter(email__iexact=pending.email).exists():
        raise RegistrationError("An account with this email address was created since. Sign in instead.")
    pending.confirmed_at = timezone.now()
    pending.save(update_fields=["confirmed_at"])
    try:
        with transaction.atomic():
            user = services.register_supplier(
                details=pending.details, full_name=pending.full_name, email=pending.email, password="", request=request
            )
    except IntegrityError as exc:  # the legal name is unique: another registered it since
        raise RegistrationError(
            f"An organisation called {pending.details.get('legal_name', '')} has registered since. "
            "Ask its users to invite you."
        ) from exc
    user.password = pending.password
    user.save(update_fields=["password"])
    flag_if_duplicate(user.supplier_membership.supplier, by=user, request=request)
    return user


def duplicates_of(supplier: Supplier) -> tuple[list[Supplier], list[str]]:
    """Other organisations with the same charity or company number, or the same name as it looks."""
    query = Q(name_key=supplier.name_key) if supplier.name_key else Q()
    if supplier.charity_number:
        query |= Q(charity_number__iexact=supplier.charity_number)
    if supplier.company_number:
        query |= Q(company_number__iexact=supplier.company_number)
    if not query:
        return [], []
    matches, reasons = [], []
    for other in Supplier.objects.filter(query).exclude(pk=supplier.pk).order_by("legal_name")[:20]:
        matches.append(other)
        if supplier.charity_number and other.charity_number.upper() == supplier.charity_number.upper():
            reasons.append(f"Charity number {supplier.charity_number} is also {other.legal_name}'s")
        if supplier.company_number and other.company_number.upper() == supplier.company_number.upper():
            reasons.append(f"Company number {supplier.company_number} is also {other.legal_name}'s")
        if other.name_key == name_key(supplier.legal_name):
            reasons.append(f"The name looks the same as {other.legal_name}")
    return matches, reasons


def flag_if_duplicate(supplier: Supplier, *, by: User, request=None) -> DuplicateCheck | None:
    matches, reasons = duplicates_of(supplier)
    if not matches:
        return None
    check = DuplicateCheck.objects.create(supplier=supplier, reasons=reasons)
    check.matches.set(matches)
    record(
        "supplier.flagged_as_possible_duplicate",
        by=by,
        obj=supplier,
        data={"matches": [m.pk for m in matches], "reasons": reasons},
        request=request,
    )
    return check


@transaction.atomic
def decide_duplicate(*, check: DuplicateCheck, distinct: bool, by: User, note: str = "") -> DuplicateCheck:
    """An officer's decision on a flagged registration: a different organisation, or a duplicate whose
    users' accounts are closed (they are told to ask the organisation already registered to invite them)."""
    if not by.has_perm("suppliers.change_duplicatecheck"):
        raise PermissionDenied("Only a commissioning officer may decide this.")
    check = DuplicateCheck.objects.select_for_update().get(pk=check.pk)
    if check.status != DuplicateCheck.Status.OPEN:
        raise ValidationError(f"This has been decided already: {check.get_status_display().lower()}.")
    check.status = DuplicateCheck.Status.DISTINCT if distinct else DuplicateCheck.Status.REJECTED
    check.decided_by, check.decided_at, check.note = by, timezone.now(), note.strip()
    check.save(update_fields=["status", "decided_by", "decided_at", "note"])
    supplier = check.supplier
    if not distinct:
        users = list(User.objects.filter(supplier_membership__supplier=supplier, is_active=True))
        User.objects.filter(pk__in=[u.pk for u in users]).update(is_active=False)
        send_after_commit(
            to=[u.email for u in users],
            subject=f"{supplier.legal_name} is already registered",
            template="registration_rejected",
            context={"legal_name": supplier.legal_name, "matches": [m.legal_name for m in check.matches.all()]},
        )
    record(
        "supplier.duplicate_confirmed_distinct" if distinct else "supplier.duplicate_rejected",
        by=by,
        obj=supplier,
        data={"check": check.pk, "note": check.note},
    )
    return check
