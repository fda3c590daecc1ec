"""PDFs produced off the request, with their status and file."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


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
