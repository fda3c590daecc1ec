"""Writing to and checking the append-only, hash-chained audit trail."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.http import HttpRequest

from .models import AuditChainHead, AuditEvent, User


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    by: User | None,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_email: str = "",
) -> AuditEvent:
    """Append one event to the chain. Runs inside the caller's transaction when there is one.

    The chain head row is locked so that concurrent appends are serialised and the chain never forks.
    """
    actor = by if (by is not None and by.is_authenticated) else None
    # Store data exactly as it will read back from the database, so the hash can be recomputed.
    clean_data = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            actor=actor,
            actor_email=actor.email if actor else actor_email,
            organisation=actor.organisation_name if actor else "",
            action=action,
            content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
            object_id=str(obj.pk) if obj is not None else "",
            object_repr=str(obj)[:300] if obj is not None else "",
            data=clean_data,
            ip_address=client_ip(request),
            prev_hash=head.last_hash,
        )
        event.hash = event.compute_hash()
        event.save()
        AuditChainHead.objects.filter(pk=1).update(last_hash=event.hash, last_event_id=event.pk)
    return event


@dataclass(frozen=True)
class BrokenLink:
    event_id: int
    reason: str


def verify_chain(batch_size: int = 2000) -> tuple[int, BrokenLink | None]:
    """Recompute every hash in order. Returns how many events were checked and the first break."""
    expected_prev = "0" * 64
    checked = 0
    for event in _events_in_order(batch_size):
        if event.prev_hash != expected_prev:
            return checked, BrokenLink(event.pk, "its previous-hash does not match the event before it")
        if event.compute_hash() != event.hash:
            return checked, BrokenLink(event.pk, "its content does not match its hash (edited)")
        expected_prev = event.hash
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and checked and head.last_hash != expected_prev:
        return checked, BrokenLink(head.last_event_id or 0, "the newest events are missing (deleted)")
    return checked, None


def _events_in_order(batch_size: int) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(pk__gt=last_id).order_by("pk")[:batch_size])
        if not batch:
            return
        yield from batch
        last_id = batch[-1].pk
