"""Every write to supplier organisations: registration, profile, accreditations, documents, colleagues."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from commissioning import two_factor
from commissioning.audit import record
from commissioning.changes import save_audited
from commissioning.email import send_after_commit
from commissioning.errors import RuleError
from commissioning.models import User
from commissioning.rules import is_officer, is_platform_admin
from commissioning.uploads import sha256_of, validate_upload

from .models import Accreditation, Invitation, Supplier, SupplierDocument, SupplierMembership

SUPPLIER_FIELDS = [
    "legal_name",
    "trading_name",
    "kind",
    "charity_number",
    "company_number",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "contact_name",
    "contact_email",
    "contact_phone",
    "is_vcse",
    "is_sme",
]


def _require_member(user: User, supplier: Supplier, *, admin: bool = False) -> SupplierMembership:
    membership = getattr(user, "supplier_membership", None)
    if membership is None or membership.supplier_id != supplier.pk or (admin and not membership.is_admin):
        raise PermissionDenied("You do not act for this organisation.")
    return membership


@transaction.atomic
def register_supplier(*, details: dict, full_name: str, email: str, password: str, request=None) -> User:
    """A new organisation and its first user, who may invite colleagues."""
    supplier = Supplier.objects.create(**{k: details[k] for k in SUPPLIER_FIELDS if k in details})
    user = User.objects.create_user(email=email, password=password, full_name=full_name, role=User.Role.PROVIDER)
    SupplierMembership.objects.create(user=user, supplier=supplier, is_admin=True)
    record("supplier.registered", by=user, obj=supplier, data={"user": email}, request=request)
    return user


@transaction.atomic
def update_supplier(*, supplier: Supplier, details: dict, by: User) -> Supplier:
    _require_member(by, supplier)
    changed = {}
    for field in SUPPLIER_FIELDS:
        if field in details and getattr(supplier, field) != details[field]:
            changed[field] = [str(getattr(supplier, field)), str(details[field])]
            setattr(supplier, field, details[field])
    supplier.save()
    record("supplier.updated", by=by, obj=supplier, data={"changed": changed})
    return supplier


def _store_checked(upload: UploadedFile) -> str:
    validate_upload(upload)
    return sha256_of(upload)


@transaction.atomic
def add_accreditation(*, supplier: Supplier, by: User, evidence: UploadedFile | None = None, **fields) -> Accreditation:
    _require_member(by, supplier)
    accreditation = Accreditation(supplier=supplier, **fields)
    if evidence is not None:
        accreditation.evidence_sha256 = _store_checked(evidence)
        accreditation.evidence = evidence
    accreditation.save()
    record(
        "supplier.accreditation_added",
        by=by,
        obj=supplier,
        data={"scheme": accreditation.scheme, "expires_on": accreditation.expires_on},
    )
    return accreditation


@transaction.atomic
def remove_accreditation(*, accreditation: Accreditation, by: User) -> None:
    _require_member(by, accreditation.supplier)
    record(
        "supplier.accreditation_removed",
        by=by,
        obj=accreditation.supplier,
        data={"scheme": accreditation.scheme, "reference": accreditation.reference},
    )
    accreditation.delete()


@transaction.atomic
def add_document(
    *, supplier: Supplier, by: User, file: UploadedFile, kind: str, title: str, expires_on: date | None = None
) -> SupplierDocument:
    _require_member(by, supplier)
    digest = _store_checked(file)
    document = SupplierDocument.objects.create(
        supplier=supplier,
        kind=kind,
        title=title,
        file=file,
        sha256=digest,
        expires_on=expires_on,
        uploaded_by=by,
    )
    record(
        "supplier.document_added",
        by=by,
        obj=supplier,
        data={"kind": kind, "title": title, "sha256": digest, "expires_on": expires_on},
    )
    return document


@transaction.atomic
def remove_document(*, document: SupplierDocument, by: User) -> None:
    _require_member(by, document.supplier)
    record("supplier.document_removed", by=by, obj=document.supplier, data={"title": document.title})
    document.delete()


# --- Records officers correct in the admin -------------------------------------------------------------


def _require_officer(by: User) -> None:
    if not is_officer(by):
        raise PermissionDenied("Only commissioning officers correct suppliers' records.")


@transaction.atomic
def save_supplier_record(*, supplier: Supplier, by: User) -> Supplier:
    """An officer creates or corrects an organisation's record: audited, with each field before and after.
    Who acts for it is not changed here (see invitations)."""
    _require_officer(by)
    save_audited(supplier, by=by, action="suppliers.supplier")
    return supplier


@transaction.atomic
def save_accreditation_record(*, accreditation: Accreditation, by: User) -> Accreditation:
    """An officer records or corrects an accreditation (its evidence is the supplier's to upload)."""
    _require_officer(by)
    save_audited(
        accreditation, by=by, action="suppliers.accreditation", data={"supplier": accreditation.supplier.legal_name}
    )
    return accreditation


@transaction.atomic
def set_two_factor_requirement(*, supplier: Supplier, required: bool, by: User) -> Supplier:
    """The organisation's own administrators decide whether each of its users must sign in with a second
    factor. Whoever turns it on must have set theirs up first, so nobody is shut out by surprise."""
    _require_member(by, supplier, admin=True)
    if required and not two_factor.has_authenticator(by):
        raise SupplierRuleError(
            "Set up two-factor authentication for your own account first, from Your account", field="required"
        )
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    if supplier.require_two_factor != required:
        before = supplier.require_two_factor
        supplier.require_two_factor = required
        supplier.save(update_fields=["require_two_factor"])
        record(
            "supplier.two_factor_requirement_changed",
            by=by,
            obj=supplier,
            data={"changes": {"require_two_factor": {"before": before, "after": required}}},
        )
    return supplier


# --- Invitations ----------------------------------------------------------------------------------------


class SupplierRuleError(RuleError):
    """A rule about a supplier refused the change."""


class InvitationProblem(Exception):
    """An invitation that cannot be accepted; the message says why, to the person holding the link."""


def _require_inviter(by: User, supplier: Supplier) -> None:
    """The organisation's own administrators invite colleagues; a platform administrator may too (for an
    organisation whose administrators have left)."""
    if not is_platform_admin(by):
        _require_member(by, supplier, admin=True)


def check_invitation_allowed(supplier: Supplier, *, now: datetime | None = None) -> None:
    """At most INVITATIONS_PER_SUPPLIER_PER_DAY invitations per organisation in any 24 hours."""
    since = (now or timezone.now()) - timedelta(days=1)
    limit = settings.INVITATIONS_PER_SUPPLIER_PER_DAY
    if Invitation.objects.filter(supplier=supplier, created_at__gt=since).count() >= limit:
        raise SupplierRuleError(
            f"{supplier.legal_name} has sent {limit} invitations in the last 24 hours, the most allowed. "
            "Try again tomorrow",
            field="email",
        )


def invitation_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invite_colleague(
    *, supplier: Supplier, by: User, email: str, full_name: str, now: datetime | None = None
) -> Invitation:
    """Invite someone to act for the organisation. The answer is the same whether or not the address
    already has an account (it must not tell who is registered); the e-mail to the address says what
    happened. The link is in that e-mail only."""
    _require_inviter(by, supplier)
    now = now or timezone.now()
    Supplier.objects.select_for_update().filter(pk=supplier.pk).first()  # one count at a time per organisation
    check_invitation_allowed(supplier, now=now)
    email = email.strip().lower()
    token = secrets.token_urlsafe(32)
    # An earlier invitation to the same address stops working: only the newest link does.
    Invitation.objects.filter(supplier=supplier, email=email, accepted_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    invitation = Invitation.objects.create(
        supplier=supplier,
        email=email,
        full_name=full_name,
        token_hash=invitation_hash(token),
        invited_by=by,
        created_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    has_account = User.objects.filter(email__iexact=email).exists()
    send_after_commit(
        to=[email],
        subject=f"You have been invited to act for {supplier.legal_name}",
        template="supplier_invitation_existing_account" if has_account else "supplier_invitation",
        context={
            "invitation": invitation,
            "inviter": by,
            "accept_url": "" if has_account else reverse("suppliers:accept_invitation", args=[token]),
            "valid_days": settings.INVITATION_VALID_DAYS,
        },
    )
    record("supplier.colleague_invited", by=by, obj=supplier, data={"email": email, "invitation": invitation.pk})
    return invitation


def invitation_for(token: str, *, now: datetime | None = None) -> Invitation:
    """The invitation this link opens, if it can still be accepted; otherwise InvitationProblem says why."""
    invitation = Invitation.objects.filter(token_hash=invitation_hash(token)).select_related("supplier").first()
    if invitation is None:
        raise InvitationProblem(
            "This invitation link is not valid. Check that you copied the whole address from the email."
        )
    if invitation.accepted_at is not None:
        raise InvitationProblem(
            "This invitation has been used already. If you accepted it, sign in with your email address and password."
        )
    if invitation.is_expired(now):
        raise InvitationProblem(
            f"This invitation has expired: invitations last {settings.INVITATION_VALID_DAYS} days. Ask a colleague "
            f"at {invitation.supplier.legal_name} to invite you again."
        )
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationProblem(
            f"An account with the email address {invitation.email} already exists, and an account acts for one "
            f"organisation only. Sign in with it, or contact {settings.SUPPORT_EMAIL} to move it to "
            f"{invitation.supplier.legal_name}."
        )
    return invitation


@transaction.atomic
def accept_invitation(*, invitation: Invitation, password: str, request=None) -> User:
    """The invitee chooses a password: their account is made and joins the organisation, whose other users
    are told by e-mail."""
    invitation = Invitation.objects.select_for_update().select_related("supplier", "invited_by").get(pk=invitation.pk)
    if invitation.accepted_at is not None or invitation.is_expired():
        raise InvitationProblem("This invitation can no longer be used. Ask a colleague to invite you again.")
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationProblem(
            f"An account with the email address {invitation.email} already exists: sign in with it instead."
        )
    user = User(email=invitation.email, full_name=invitation.full_name, role=User.Role.PROVIDER)
    password_validation.validate_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:  # the address registered at this very moment
        raise InvitationProblem(
            f"An account with the email address {invitation.email} already exists: sign in with it instead."
        ) from error
    colleagues = list(
        invitation.supplier.memberships.filter(user__is_active=True).values_list("user__email", flat=True)
    )
    SupplierMembership.objects.create(user=user, supplier=invitation.supplier, is_admin=False)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    record(
        "supplier.invitation_accepted",
        by=user,
        obj=invitation.supplier,
        data={"invitation": invitation.pk, "invited_by": invitation.invited_by.email},
        request=request,
    )
    send_after_commit(
        to=colleagues,
        subject=f"{user.full_name} has joined {invitation.supplier.legal_name} on the portal",
        template="supplier_member_joined",
        context={"member": user, "invitation": invitation},
    )
    return user
