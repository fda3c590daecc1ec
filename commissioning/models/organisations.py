"""The authorities that commission and the areas providers cover."""

from __future__ import annotations

from django.db import models


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
