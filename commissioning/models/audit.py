"""The append-only, hash-chained audit trail: its events, the chain head and the last verified checkpoint."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


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
        return chain_hash(*(getattr(self, name) for name in HASHED_FIELDS))


# What an event's hash covers, in the order `chain_hash` takes them. Verification reads these columns as
# plain values, without building a model instance per event (two million of them in a decade).
HASHED_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_email",
    "organisation",
    "action",
    "content_type_id",
    "object_id",
    "object_repr",
    "data",
    "ip_address",
    "prev_hash",
    "seq",
)


def chain_hash(
    occurred_at, actor_id, actor_email, organisation, action, content_type_id, object_id, object_repr, data,
    ip_address, prev_hash, seq,
) -> str:  # fmt: skip
    payload = {
        "occurred_at": occurred_at.astimezone(UTC).isoformat(),
        "actor_id": actor_id,
        "actor_email": actor_email,
        "organisation": organisation,
        "action": action,
        "content_type_id": content_type_id,
        "object_id": object_id,
        "object_repr": object_repr,
        "data": data,
        "ip_address": ip_address,
        "prev_hash": prev_hash,
        "seq": seq,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode()).hexdigest()
