"""Shared core: authorities, areas, users and roles, the append-only audit trail, funding streams,
reminders (rules and the log of what was sent) and generated documents."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class Authority(models.Model):
    """A commissioning body: the lead OPCC, a partner local authority, an ICB or another PCC."""

    class Kind(models.TextChoices):
        OPCC = "opcc", "Office of the Police and Crime Commissioner"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        ICB = "icb", "Integrated care board"
        OTHER_PCC = "other_pcc", "Other police and crime commissioner"
        NHS = "nhs", "NHS England or another NHS commissioner"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    is_lead_commissioner = models.BooleanField(
        default=False, help_text="The authority that runs frameworks and awards on this portal."
    )
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """A geographic area a provider can cover, e.g. one of the 7 West Midlands local authority areas."""

    name = models.CharField(max_length=100, unique=True)
    code = models.SlugField(max_length=50, unique=True)
    region = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        """`manage.py createsuperuser` makes a platform administrator, never a Django superuser: nobody
        holds every permission. Whoever runs it has the server, so the account counts as approved."""
        extra.setdefault("role", User.Role.ADMINISTRATOR)
        extra.setdefault("is_staff", True)
        extra.setdefault("role_approved_at", timezone.now())
        extra["is_superuser"] = False
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address. Their role decides what they may do."""

    class Role(models.TextChoices):
        OFFICER = "officer", "Commissioning officer"
        EVALUATOR = "evaluator", "Evaluator"
        PROVIDER = "provider", "Provider user"
        PARTNER = "partner", "Partner commissioner"
        ADMINISTRATOR = "administrator", "Platform administrator"

    # Roles that a second platform administrator must approve before the account may act in them.
    APPROVED_ROLES = frozenset({Role.OFFICER, Role.ADMINISTRATOR})
    # Roles whose people sign in with a second factor, and set it up only through a link e-mailed to them.
    LINK_ENROLLED_ROLES = frozenset({Role.OFFICER, Role.EVALUATOR, Role.ADMINISTRATOR, Role.PARTNER})
    # Roles that may use the admin.
    STAFF_ROLES = frozenset({Role.OFFICER, Role.ADMINISTRATOR})

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=20, choices=Role.choices)
    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text="For officers, evaluators and partner commissioners: the authority they work for.",
    )
    job_title = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="May sign in to the admin (commissioning officers and platform administrators)."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    role_since = models.DateTimeField(default=timezone.now, help_text="When the account was given its current role.")
    role_approved_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a second platform administrator approved the current role (or, with nobody named, "
        "when it was set up from the server's command line).",
    )
    role_approved_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            # Platform administrators have a role of their own; a Django superuser would hold every
            # permission, commissioning decisions included, so nobody is one.
            models.CheckConstraint(condition=models.Q(is_superuser=False), name="nobody_is_a_django_superuser"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_officer(self) -> bool:
        return self.role == self.Role.OFFICER

    @property
    def is_evaluator(self) -> bool:
        return self.role == self.Role.EVALUATOR

    @property
    def is_provider(self) -> bool:
        return self.role == self.Role.PROVIDER

    @property
    def is_partner(self) -> bool:
        return self.role == self.Role.PARTNER

    @property
    def is_administrator(self) -> bool:
        return self.role == self.Role.ADMINISTRATOR

    @property
    def enrols_by_link(self) -> bool:
        """Accounts made by an administrator set up their second factor only through a link e-mailed to
        them, so whoever first holds the password cannot enrol an authenticator of their own."""
        return self.role in self.LINK_ENROLLED_ROLES

    @property
    def needs_two_factor(self) -> bool:
        """Officers, evaluators, administrators and partners always sign in with a second factor; a
        supplier's users do when their organisation has turned it on."""
        if self.enrols_by_link:
            return True
        membership = getattr(self, "supplier_membership", None) if self.role == self.Role.PROVIDER else None
        return bool(membership is not None and membership.supplier.require_two_factor)

    @property
    def organisation_name(self) -> str:
        if self.role == self.Role.PROVIDER:
            membership = getattr(self, "supplier_membership", None)
            if membership is not None:
                return membership.supplier.legal_name
        return self.authority.name if self.authority_id else ""


class RoleRequest(models.Model):
    """A platform administrator asks for an account to be made, or given a role, that a second, different
    administrator must approve: officers and administrators. Until then the account cannot act in it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a second administrator"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_requests")
    role = models.CharField(max_length=20, choices=User.Role.choices)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    is_new_account = models.BooleanField(default=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was refused.")

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="pending"), name="one_pending_role_request_per_user"
            )
        ]

    def __str__(self) -> str:
        what = "New account" if self.is_new_account else "Role change"
        return f"{what}: {self.user.email} as {self.get_role_display().lower()}"


class TwoFactorLink(models.Model):
    """A one-time link, e-mailed to the account's own address, through which its holder sets up their
    authenticator. Only a hash of the token is kept: nobody can read it here."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Two-factor set-up link for {self.user.email}"

    def is_usable(self, now=None) -> bool:
        return self.used_at is None and (now or timezone.now()) < self.expires_at


class SignInThrottle(models.Model):
    """Failed sign-ins for one e-mail address (trimmed, lower case) from one client address. Locking the
    pair, not the address alone, means a stranger's guesses elsewhere cannot lock a bidder out."""

    email = models.CharField(max_length=254)
    ip_address = models.CharField(max_length=45, blank=True)
    failures = models.PositiveIntegerField(default=0)
    lockouts = models.PositiveSmallIntegerField(default=0, help_text="Locks in a row; each lasts twice the last.")
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["email", "ip_address"], name="one_throttle_per_email_address")]

    def __str__(self) -> str:
        return f"{self.email} from {self.ip_address or 'an unknown address'}"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit trail is append-only: events cannot be changed.")

    def delete(self):
        raise PermissionError("The audit trail is append-only: events cannot be deleted.")


class AuditChainHead(models.Model):
    """One row holding the hash of the newest event; locking it serialises appends to the chain."""

    last_hash = models.CharField(max_length=64, default="0" * 64)
    last_event_id = models.BigIntegerField(null=True)
    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Audit chain head at event {self.last_event_id}"


class AuditCheckpoint(models.Model):
    """One row: the newest event a verification of the chain found intact, so the next incremental
    verification starts from it instead of from the first event."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    event_id = models.BigIntegerField(null=True)
    verified_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"Audit trail verified up to event {self.event_id}"


class AuditEvent(models.Model):
    """An append-only record of a material decision; each row's hash covers the previous row's."""

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # Filled when the event is sealed into the chain, just after its transaction commits.
    seq = models.BigIntegerField(null=True, blank=True, unique=True, help_text="Position in the chain.")
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, null=True, blank=True, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit trail is append-only: events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only: events cannot be deleted.")

    def compute_hash(self) -> str:
        payload = {
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(),
            "actor_id": self.actor_id,
            "actor_email": self.actor_email,
            "organisation": self.organisation,
            "action": self.action,
            "content_type_id": self.content_type_id,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "data": self.data,
            "ip_address": self.ip_address,
            "prev_hash": self.prev_hash,
            "seq": self.seq,
        }
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
        return hashlib.sha256(canonical.encode()).hexdigest()


class FundingStream(models.Model):
    """A source of money for services in one authority's budget, e.g. the MoJ core victims grant or an
    NHS England contribution. Its allocations say how much it provides in each financial year."""

    class Kind(models.TextChoices):
        MOJ_CORE = "moj_core", "Ministry of Justice core victims grant"
        ISVA_IDVA = "isva_idva", "Ring-fenced ISVA and IDVA funding"
        CHILD_SEXUAL_ABUSE = "child_sexual_abuse", "Child sexual abuse funding (ring-fenced)"
        PCC_CORE = "pcc_core", "PCC core budget"
        PARTNER = "partner", "Partner contribution"
        NHS_ENGLAND = "nhs_england", "NHS England"
        HOME_OFFICE = "home_office", "Home Office grant"
        OTHER = "other", "Other funding"

    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_streams",
        help_text="Whose budget the money is in. Its officers manage the stream and its allocations.",
    )
    name = models.CharField(max_length=200)
    kind = models.CharField("type of funding", max_length=30, choices=Kind.choices, default=Kind.OTHER)
    funder = models.CharField(max_length=200, blank=True, help_text="Who provides it, e.g. Ministry of Justice.")
    is_ring_fenced = models.BooleanField(default=False, help_text="May only be spent on a named purpose.")
    ring_fence_purpose = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "name"], name="one_stream_name_per_authority"),
        ]

    def __str__(self) -> str:
        return self.name


class FundingAllocation(models.Model):
    """How much a funding stream provides in one financial year (1 April to 31 March)."""

    stream = models.ForeignKey(FundingStream, on_delete=models.CASCADE, related_name="allocations")
    financial_year = models.PositiveSmallIntegerField(
        help_text="The calendar year the financial year starts in: 2025 means 2025/26."
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="GBP")

    class Meta:
        ordering = ["stream__name", "financial_year"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "financial_year"], name="one_allocation_per_stream_year"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="allocation_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.stream} {self.financial_year}/{(self.financial_year + 1) % 100:02d}: £{self.amount:,}"


def validate_offsets(value: str) -> None:
    """Offsets are whole numbers of days before a date, separated by commas, e.g. "14,7,1"."""
    from django.core.exceptions import ValidationError

    for part in value.split(","):
        part = part.strip()
        if part and (not re.fullmatch(r"[0-9]{1,3}", part) or int(part) > 366):
            raise ValidationError("Enter whole numbers of days from 0 to 366, separated by commas, for example 14,7,1")


class ReminderRule(models.Model):
    """When one kind of reminder is sent. Officers change the offsets in the admin; the sources read them."""

    kind = models.SlugField(max_length=80, unique=True, help_text="The reminder source this rule controls.")
    label = models.CharField(max_length=200, help_text="What the reminder is about, in plain words.")
    offsets = models.CharField(
        max_length=100,
        blank=True,
        validators=[validate_offsets],
        help_text="Days before the date when a reminder is sent, separated by commas, for example 14,7,1.",
    )
    remind_when_overdue = models.BooleanField(
        default=True, help_text="Send one more reminder once the date has passed."
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Tell the commissioning officer once this many days have passed after the date. "
        "Leave empty to never escalate.",
    )
    enabled = models.BooleanField(default=True, help_text="Untick to stop sending this kind of reminder.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label

    @property
    def offset_days(self) -> list[int]:
        """The offsets, largest first, without repeats."""
        days = {int(part) for part in self.offsets.split(",") if re.fullmatch(r"[0-9]{1,3}", part.strip())}
        return sorted(days, reverse=True)

    def horizon(self, today: date) -> date:
        """The latest due date that can need a reminder today."""
        return today + timedelta(days=max(self.offset_days, default=0))

    def occasion_for(self, due: date, today: date) -> str | None:
        """Which reminder is due today for something due on `due`, or None.

        The nearest offset already reached counts, not only the exact day, so a sweep that did not
        run on the day still sends that reminder once (the unique claim stops any repeat).
        """
        if not self.enabled:
            return None
        days_left = (due - today).days
        if days_left < 0:
            return "overdue" if self.remind_when_overdue else None
        reached = [offset for offset in self.offset_days if days_left <= offset]
        return f"due-in-{min(reached)}-days" if reached else None

    def escalation_due(self, due: date, today: date) -> bool:
        return self.enabled and self.escalate_after_days is not None and (today - due).days >= self.escalate_after_days


class Notification(models.Model):
    """One e-mail to one address, and the notification its recipient reads on the portal.

    Every e-mail of the portal is a row here (`commissioning.email`): recorded in the transaction of the
    action that causes it, then sent by a Celery task that claims the row first, so it goes once, and is
    retried with backoff while the mail server refuses it. A reminder also names its obligation and
    occasion: the conditional unique constraint is what makes a reminder go out once, however often the
    sweep runs. `recipient` is empty only for an address with no account yet (an invitation).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        CLAIMED = "claimed", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Not sent"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        help_text="Empty for an address with no account, such as an invitation to register.",
    )
    email = models.EmailField("address", help_text="The address the e-mail is sent to.")
    kind = models.SlugField(max_length=80)
    obligation_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+", null=True, blank=True)
    obligation_id = models.CharField(max_length=64, blank=True)
    obligation = GenericForeignKey("obligation_type", "obligation_id")
    occasion = models.CharField(max_length=60, blank=True)
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, help_text="The page where the recipient acts on it.")
    confidential = models.BooleanField(
        default=False,
        help_text="The body holds a secret (a password reset link): it is erased once sent or given up.",
    )
    sealed_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Until then the e-mail log does not list it: it would name a bidder before the closing time.",
    )
    sealed_for = models.CharField(
        max_length=60,
        blank=True,
        db_index=True,
        help_text="Kept out of the e-mail log until this is unsealed (a competition's opening by two officers).",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When the retry sweep may send it, if its own task has not."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField("reason", blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "obligation_type", "obligation_id", "occasion"],
                condition=models.Q(obligation_type__isnull=False),
                name="one_notification_per_recipient_obligation_occasion",
            )
        ]
        indexes = [
            models.Index(fields=["status", "claimed_at"]),
            models.Index(fields=["status", "next_attempt_at"], name="notification_retry_due"),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.email}"

    @property
    def absolute_url(self) -> str:
        return f"{settings.PORTAL_BASE_URL}{self.url}" if self.url else ""

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


def document_upload_to(instance: GeneratedDocument, filename: str) -> str:
    return f"documents/{timezone.localdate():%Y/%m}/{filename}"


class GeneratedDocument(models.Model):
    """A PDF produced off the request by a task; users see its status and download it when ready."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being produced"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    kind = models.SlugField(max_length=80, db_index=True)
    title = models.CharField(max_length=300)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    target_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    params = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    file = models.FileField(upload_to=document_upload_to, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    failure_reason = models.TextField(blank=True, help_text="Why it failed, in words the requester can act on.")
    error_detail = models.TextField(blank=True, help_text="The technical error, for the support team.")
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requested_documents"
    )
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-requested_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.READY, self.Status.FAILED}

    @property
    def seconds_taken(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
