"""Users and their roles, requests for a role, two-factor set-up links and sign-in throttles."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from .organisations import Authority


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
