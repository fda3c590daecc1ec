"""Supplier organisations and the users who act for them."""

from django.conf import settings
from django.db import models


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
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    contact_name = models.CharField("main contact", max_length=150, blank=True)
    contact_email = models.EmailField("main contact email", blank=True)
    contact_phone = models.CharField("main contact phone", max_length=30, blank=True)
    is_vcse = models.BooleanField("voluntary, community or social enterprise", default=False)
    is_sme = models.BooleanField("small or medium-sized enterprise", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["legal_name"]

    def __str__(self) -> str:
        return self.legal_name


class SupplierMembership(models.Model):
    """Ties a provider user to the one supplier organisation they act for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supplier_membership"
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="memberships")
    is_admin = models.BooleanField(
        default=False, help_text="May invite colleagues and change the organisation's details."
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user.email} at {self.supplier}"
