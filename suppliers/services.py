"""Every write to supplier organisations: registration, profile, accreditations, documents, colleagues."""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commissioning.audit import record
from commissioning.email import send_after_commit
from commissioning.models import User
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


@transaction.atomic
def invite_colleague(*, supplier: Supplier, by: User, email: str, full_name: str) -> Invitation:
    _require_member(by, supplier, admin=True)
    invitation = Invitation.objects.create(
        supplier=supplier,
        email=email.lower(),
        full_name=full_name,
        token=secrets.token_urlsafe(32),
        invited_by=by,
    )
    send_after_commit(
        to=[invitation.email],
        subject=f"You have been invited to act for {supplier.legal_name}",
        template="colleague_invitation",
        context={
            "full_name": full_name,
            "invited_by": by,
            "supplier": supplier,
            "link": settings.PORTAL_BASE_URL + reverse("suppliers:accept_invitation", args=[invitation.token]),
        },
    )
    record("supplier.colleague_invited", by=by, obj=supplier, data={"email": invitation.email})
    return invitation


@transaction.atomic
def accept_invitation(*, invitation: Invitation, password: str, request=None) -> User:
    if invitation.accepted_at is not None:
        raise PermissionDenied("This invitation has been used already.")
    user = User(email=invitation.email, full_name=invitation.full_name, role=User.Role.PROVIDER)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    SupplierMembership.objects.create(user=user, supplier=invitation.supplier, is_admin=False)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    record("supplier.invitation_accepted", by=user, obj=invitation.supplier, request=request)
    return user
