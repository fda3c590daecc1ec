"""Supplier organisations and the users who act for them."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .identifiers import name_key


class Supplier(models.Model):
    """An organisation that provides services: a charity, CIC, company or other body."""

    class Kind(models.TextChoices):
        CHARITY = "charity", "Registered charity"
        CIO = "cio", "Charitable incorporated organisation"
        CIC = "cic", "Community interest company"
        COMPANY = "company", "Private company"
        PUBLIC_BODY = "public_body", "Public body"
        OTHER = "other", "Other"

    legal_name = models.CharField(max_length=200, unique=True)
    trading_name = models.CharField(max_length=200, blank=True)
    kind = models.CharField("type of organisation", max_length=20, choices=Kind.choices)
    charity_number = models.CharField(max_length=20, blank=True)
    company_number = models.CharField(max_length=20, blank=True)
    ppon_id = models.CharField(
        "PPON",
        max_length=20,
        blank=True,
        help_text="The Public Procurement Organisation Number the Central Digital Platform gave the organisation.",
    )
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    contact_name = models.CharField("main contact", max_length=150, blank=True)
    contact_email = models.EmailField("main contact email", blank=True)
    contact_phone = models.CharField("main contact phone", max_length=30, blank=True)
    is_vcse = models.BooleanField("voluntary, community or social enterprise", default=False)
    is_sme = models.BooleanField("small or medium-sized enterprise", default=False)
    require_two_factor = models.BooleanField(
        "everyone signs in with two-factor authentication",
        default=False,
        help_text="Turned on by the organisation's own administrators: then each of its users signs in with a "
        "code from an authenticator app as well as their password.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The legal name as it looks (see identifiers.name_key), to find the same organisation registered twice.
    name_key = models.CharField(max_length=200, blank=True, db_index=True, editable=False)

    class Meta:
        ordering = ["legal_name"]

    def __str__(self) -> str:
        return self.legal_name

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.legal_name)[:200]
        if kwargs.get("update_fields") is not None and "legal_name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)


class SupplierMembership(models.Model):
    """Ties a provider user to the one supplier organisation they act for."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supplier_membership")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="memberships")
    is_admin = models.BooleanField(
        default=False, help_text="May invite colleagues and change the organisation's details."
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user.email} at {self.supplier}"


def supplier_file_path(instance, filename: str) -> str:
    return f"suppliers/{instance.supplier_id}/{filename}"


class AccreditationScheme(models.TextChoices):
    """Quality standards the framework documents name; an equivalent standard is also accepted."""

    RESPECT = "respect", "Respect Accreditation"
    SAFELIVES = "safelives", "SafeLives Leading Lights"
    WOMENS_AID = "womens_aid", "Women's Aid National Quality Standards"
    IMKAAN = "imkaan", "Imkaan Accredited Quality Standard"
    RAPE_CRISIS = "rape_crisis", "Rape Crisis National Service Standards"
    LIMECULTURE = "limeculture", "LimeCulture Quality Standards"
    EQUIVALENT = "equivalent", "An equivalent standard"


class Accreditation(models.Model):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="accreditations")
    scheme = models.CharField(max_length=20, choices=AccreditationScheme.choices)
    equivalent_to = models.CharField(
        max_length=20,
        choices=[c for c in AccreditationScheme.choices if c[0] != "equivalent"],
        blank=True,
        help_text="For an equivalent standard: which named scheme it is equivalent to.",
    )
    equivalent_name = models.CharField("name of the equivalent standard", max_length=200, blank=True)
    level = models.CharField(max_length=100, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    evidence = models.FileField(upload_to=supplier_file_path, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scheme", "-expires_on"]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.supplier})"

    @property
    def display_name(self) -> str:
        return self.name_of(self.scheme, self.equivalent_name)

    @staticmethod
    def name_of(scheme: str, equivalent_name: str) -> str:
        """An accreditation's name, from its scheme and the name of an equivalent standard (for lists that
        read them as plain values)."""
        if scheme == AccreditationScheme.EQUIVALENT:
            return equivalent_name or "Equivalent standard"
        return dict(AccreditationScheme.choices).get(scheme, scheme)

    @property
    def satisfies(self) -> str:
        """The named scheme this accreditation counts as."""
        return self.equivalent_to if self.scheme == AccreditationScheme.EQUIVALENT else self.scheme

    def is_current(self, on) -> bool:
        return self.expires_on is None or self.expires_on >= on


class SupplierDocument(models.Model):
    """Policies, insurance certificates and accounts, kept once and reused by every application."""

    class Kind(models.TextChoices):
        SAFEGUARDING = "safeguarding", "Safeguarding policy"
        EQUALITY = "equality", "Equality and diversity policy"
        DATA_PROTECTION = "data_protection", "Data protection policy"
        PUBLIC_LIABILITY = "public_liability", "Public liability insurance certificate"
        EMPLOYERS_LIABILITY = "employers_liability", "Employer's liability insurance certificate"
        PROFESSIONAL_INDEMNITY = "professional_indemnity", "Professional indemnity insurance certificate"
        ACCOUNTS = "accounts", "Annual accounts"
        OTHER = "other", "Other document"

    INSURANCE_KINDS = (Kind.PUBLIC_LIABILITY, Kind.EMPLOYERS_LIABILITY, Kind.PROFESSIONAL_INDEMNITY)

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=supplier_file_path)
    sha256 = models.CharField(max_length=64)
    expires_on = models.DateField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.supplier})"


class Invitation(models.Model):
    """A colleague invited to act for a supplier; accepting creates their account. The link's token is
    only in the e-mail to the invitee: a hash of it is kept, so nobody can read it here."""

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    full_name = models.CharField(max_length=150)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.supplier}"

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at

    @property
    def state(self) -> str:
        if self.accepted_at is not None:
            return "accepted"
        return "expired" if self.is_expired() else "waiting"


class PendingRegistration(models.Model):
    """A registration waiting for its email address to be confirmed: nothing exists until the owner of
    the address follows the link, and the page after registering is the same whether or not the address
    already has an account (the email says which)."""

    email = models.EmailField()
    full_name = models.CharField(max_length=150)
    password = models.CharField(max_length=128, help_text="A hash, as the user's own will be.")
    details = models.JSONField(help_text="The organisation's details, as typed.")
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Registration of {self.details.get('legal_name', '')} by {self.email}"


class DuplicateCheck(models.Model):
    """A work item for an officer: a newly registered organisation whose charity or company number, or
    whose name as it looks, is another's. The officer confirms it is a different organisation, or
    rejects it as a duplicate (its users' accounts are closed)."""

    class Status(models.TextChoices):
        OPEN = "open", "To check"
        DISTINCT = "distinct", "Confirmed as a different organisation"
        REJECTED = "rejected", "Rejected as a duplicate"

    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="duplicate_checks")
    matches = models.ManyToManyField(Supplier, related_name="+", verbose_name="looks like")
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["status", "-created_at"]
        verbose_name = "possible duplicate registration"

    def __str__(self) -> str:
        return f"Is {self.supplier} a duplicate?"
