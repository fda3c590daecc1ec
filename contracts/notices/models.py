"""Procurement Act thresholds (data with start dates) and the notices each procedure needs. Fields,
constraints and cheap derived values only; which notices a procedure needs is `rules.py`, every move is in
`services.py`."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from commissioning.models import Authority
from commissioning.partial_indexes import literals
from contracts.models import MONEY

__all__ = ["Notice", "NoticeQuerySet", "NoticeType", "Threshold", "content_type_of", "target_key"]


class Threshold(models.Model):
    """A threshold of the Procurement Act 2023 (including VAT) from the day it applies to procurements
    that start on or after it. Changed by regulations every two years, so kept as data."""

    class Kind(models.TextChoices):
        LIGHT_TOUCH = "light_touch", "Light-touch services contracts"
        SUB_CENTRAL = "sub_central", "Goods and services contracts of a sub-central authority"
        NOTIFIABLE_BELOW = "notifiable_below", "Notifiable below-threshold contracts (s.86, not central government)"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    amount = models.DecimalField("amount (including VAT)", **MONEY, validators=[MinValueValidator(0)])
    starts_on = models.DateField(help_text="Applies to procurements that start on or after this day.")
    source = models.CharField(max_length=250, help_text="The legislation that sets it.")

    class Meta:
        ordering = ["kind", "-starts_on"]
        constraints = [models.UniqueConstraint(fields=["kind", "starts_on"], name="one_threshold_per_kind_and_start")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: £{self.amount:,.0f} from {self.starts_on:%d %B %Y}"


class NoticeType(models.TextChoices):
    UK4 = "UK4", "UK4 tender notice"
    UK5 = "UK5", "UK5 transparency notice"
    UK6 = "UK6", "UK6 contract award notice"
    UK7 = "UK7", "UK7 contract details notice"
    UK10 = "UK10", "UK10 contract change notice"
    UK11 = "UK11", "UK11 contract termination notice"
    UK12 = "UK12", "UK12 procurement termination notice"


class NoticeQuerySet(models.QuerySet):
    def outstanding(self):
        # As the partial index `notice_outstanding_idx` says it (see commissioning.partial_indexes).
        return self.exclude(status__in=literals([Notice.Status.PUBLISHED, Notice.Status.WITHDRAWN]))

    def overdue(self, today: date):
        return self.outstanding().filter(deadline__lt=today)


class Notice(models.Model):
    """A notice a procedure needs (or, when the basis says so, one the authority publishes voluntarily):
    due → drafted → validated → published on Find a Tender with its notice number and date. A notice no
    longer needed before it was published (a cancelled award) is withdrawn, never deleted."""

    class Status(models.TextChoices):
        DUE = "due", "Due"
        DRAFTED = "drafted", "Drafted"
        VALIDATED = "validated", "Validated"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "No longer needed"

    key = models.CharField(max_length=120, unique=True, help_text="What the notice is for, e.g. award:12:UK6.")
    notice_type = models.CharField(max_length=5, choices=NoticeType.choices)
    ocid = models.CharField("open contracting ID", max_length=120, db_index=True)
    title = models.CharField(max_length=300)
    buying_authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="notices")
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DUE, db_index=True)
    is_voluntary = models.BooleanField(default=False)
    basis = models.TextField(help_text="Why the notice is needed: the section of the Act and the threshold test.")
    deadline = models.DateField(null=True, blank=True, help_text="Empty until the event it follows has happened.")
    deadline_basis = models.CharField(max_length=300, blank=True)
    content = models.JSONField(default=dict, blank=True, help_text="The OCDS release as validated or published.")
    errors = models.JSONField(default=list, blank=True, help_text="What the last validation found.")
    validated_at = models.DateTimeField(null=True, blank=True)
    fts_number = models.CharField("Find a Tender notice number", max_length=30, blank=True)
    published_on = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, help_text="When it was recorded as published.")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="notice_target"),
            models.Index(fields=["published_at", "id"], name="notice_published_keyset"),
            # The notices still to publish, soonest deadline first (the officers' list and work queue): only
            # those, so the index stays as small as the work outstanding however many were published.
            models.Index(
                fields=["buying_authority", "deadline", "id"],
                name="notice_outstanding_idx",
                condition=~Q(status__in=["published", "withdrawn"]),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["fts_number"], condition=~Q(fts_number=""), name="one_notice_per_fts_number"
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | (Q(published_on__isnull=False) & ~Q(fts_number="")),
                name="published_notice_has_number_and_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_notice_type_display()}: {self.title}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_outstanding(self) -> bool:
        return self.status not in {self.Status.PUBLISHED, self.Status.WITHDRAWN}

    def is_overdue(self, today: date) -> bool:
        return self.is_outstanding and self.deadline is not None and self.deadline < today


def target_key(obj: models.Model, notice_type: str) -> str:
    return f"{obj._meta.model_name}:{obj.pk}:{notice_type}"


def content_type_of(obj: models.Model) -> ContentType:
    return ContentType.objects.get_for_model(obj)
