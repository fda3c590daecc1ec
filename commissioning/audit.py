"""Writing to and checking the append-only, hash-chained audit trail."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from .clock import recorded_now
from .models import AuditChainHead, AuditCheckpoint, AuditEvent, User
from .models.audit import HASHED_FIELDS, chain_hash
from .request_context import client_address, current_client_address


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's real address: from the request when one is given, otherwise from the request being
    served in this context (see ClientAddressMiddleware); None outside a request (tasks, commands)."""
    if request is None:
        return current_client_address()
    return getattr(request, "client_address", None) or client_address(request)


def record(
    action: str,
    *,
    by: User | None,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_email: str = "",
    object_repr: str | None = None,
    hide_client_address: bool = False,
) -> AuditEvent:
    """Write one event inside the caller's transaction; it is sealed into the hash chain just after
    that transaction commits (see `seal_pending`).

    `object_repr` replaces the object's own description (a sealed tender is named by its sealed
    reference until the opening, see `register_revealer`); `hide_client_address` leaves the address out
    (the sealed event keeps it encrypted instead).

    Sealing after commit keeps the one lock the chain needs out of every business transaction: held
    mid-transaction, it serialised all writes and deadlocked with row locks under load.
    """
    actor = by if (by is not None and by.is_authenticated) else None
    # Store data exactly as it will read back from the database, so the hash can be recomputed.
    clean_data = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    event = AuditEvent.objects.create(
        occurred_at=recorded_now(),
        actor=actor,
        actor_email=actor.email if actor else actor_email,
        organisation=actor.organisation_name if actor else "",
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(object_repr if object_repr is not None else str(obj) if obj is not None else "")[:300],
        data=clean_data,
        ip_address=None if hide_client_address else client_ip(request),
    )
    if not _seal_queued():
        transaction.on_commit(_seal_after_commit)
    return event


@dataclass(frozen=True)
class Shown:
    """Who did what to what, as pages and extracts show an event."""

    actor: str
    organisation: str
    subject: str


_revealers: list[Callable[[AuditEvent], Shown | None]] = []
_preparers: list[Callable[[list[AuditEvent]], None]] = []


def register_revealer(
    revealer: Callable[[AuditEvent], Shown | None], *, prepare: Callable[[list[AuditEvent]], None] | None = None
) -> None:
    """An app whose events hide their actor until a moment (sealed tenders until the opening) says how
    to show them: before the moment, the sealed reference; after it, who it was. `prepare`, given every
    event of a page or an extract before any is shown (`shown_all`), reads once what the revealer needs for
    them all, so that a page costs the same queries however many of its events are hidden."""
    if revealer not in _revealers:
        _revealers.append(revealer)
    if prepare is not None and prepare not in _preparers:
        _preparers.append(prepare)


def shown_all(events: list[AuditEvent]) -> list[AuditEvent]:
    """Works out how each of these events is shown (`shown`), with what the revealers need read once."""
    events = list(events)
    for prepare in _preparers:
        prepare(events)
    for event in events:
        shown(event)
    return events


def shown(event: AuditEvent) -> Shown:
    """How the event is shown; worked out once per event (the admin asks for its actor, organisation and
    subject in turn, and a revealer may query)."""
    if getattr(event, "_shown", None) is None:
        event._shown = next(
            (result for revealer in _revealers if (result := revealer(event)) is not None),
            Shown(actor=event.actor_email, organisation=event.organisation, subject=event.object_repr),
        )
    return event._shown


def _seal_queued() -> bool:
    """Whether a seal is already queued at this level of the transaction: one sealing seals all of
    the transaction's events. Only a hook registered under the same savepoints counts, because a
    rollback drops a hook exactly when it drops the events written beside it."""
    current = set(connection.savepoint_ids)
    return any(
        hook is _seal_after_commit and savepoints == current for savepoints, hook, *_ in connection.run_on_commit
    )


def _seal_after_commit() -> None:
    """After a request's commit: seal, unless another process is sealing right now (it will take
    this event too, or the next sealer will; the periodic task catches any left behind). Waiting
    for the chain's lock here made every writer queue behind every other under load.

    Handed to the worker instead, a task per commit, the sealing cost the deadline rush's two CPUs more
    than it took out of the requests (measured on 7 December 2026)."""
    seal_pending(wait=False)


def seal_pending(batch_size: int = 500, *, wait: bool = True) -> int:
    """Chain every committed, unsealed event, oldest first, in short transactions of its own.

    Safe to run at any time and any number of times: the head row's lock orders concurrent sealers,
    and an event is sealed once (`seq IS NULL` guards the update). With `wait=False` it gives up at
    once when another sealer holds the lock. Returns how many it sealed.
    """
    sealed = 0
    table = AuditEvent._meta.db_table
    while AuditEvent.objects.filter(seq__isnull=True).exists():  # no lock taken when there is nothing to do
        with transaction.atomic():
            head = AuditChainHead.objects.select_for_update(skip_locked=not wait).filter(pk=1).first()
            if head is None:
                if AuditChainHead.objects.filter(pk=1).exists():
                    return sealed  # another sealer holds the chain
                AuditChainHead.objects.get_or_create(pk=1)  # the first event ever: start the chain
                continue
            events = list(AuditEvent.objects.filter(seq__isnull=True).order_by("pk")[:batch_size])
            with connection.cursor() as cursor:
                for event in events:
                    event.seq = head.last_seq + 1
                    event.prev_hash = head.last_hash
                    event.hash = event.compute_hash()
                    # The one sanctioned change to an event: filling in its place in the chain, once.
                    cursor.execute(
                        f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s AND seq IS NULL",  # noqa: S608
                        [event.seq, event.prev_hash, event.hash, event.pk],
                    )
                    head.last_seq, head.last_hash, head.last_event_id = event.seq, event.hash, event.pk
            AuditChainHead.objects.filter(pk=1).update(
                last_seq=head.last_seq, last_hash=head.last_hash, last_event_id=head.last_event_id
            )
            sealed += len(events)
    return sealed


@dataclass(frozen=True)
class BrokenLink:
    event_id: int
    reason: str


def verify_chain(
    batch_size: int = 2000, *, seal: bool = True, incremental: bool = False
) -> tuple[int, BrokenLink | None]:
    """Seal what is waiting, then recompute every hash in chain order. Returns how many events were
    found intact and the first break.

    In full (the default) from the first event; `incremental` from the last event a verification found
    intact (`AuditCheckpoint`, whose own hash is checked again first), so its cost is the events added
    since, not the whole trail. An edit of an event older than the checkpoint is found by the next full
    verification (nightly, and `manage.py verify_audit`). Either way an intact chain moves the checkpoint.
    """
    if seal:
        seal_pending()
    expected_prev, checked = "0" * 64, 0
    if incremental:
        point = AuditCheckpoint.objects.filter(pk=1).first()
        if point is not None and point.seq:
            anchor = AuditEvent.objects.filter(seq=point.seq).first()
            if anchor is None or anchor.hash != point.hash or anchor.compute_hash() != point.hash:
                return point.seq - 1, BrokenLink(point.event_id or 0, "the last verified event was changed or deleted")
            expected_prev, checked = point.hash, point.seq
    last_id = None
    for pk, stored_hash, hashed in _links_in_order(batch_size, after=checked):
        seq, prev_hash = hashed[-1], hashed[-2]
        if seq != checked + 1:
            return checked, BrokenLink(pk, "an event before it is missing (deleted)")
        if prev_hash != expected_prev:
            return checked, BrokenLink(pk, "its previous-hash does not match the event before it")
        if chain_hash(*hashed) != stored_hash:
            return checked, BrokenLink(pk, "its content does not match its hash (edited)")
        expected_prev, last_id = stored_hash, pk
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and checked and head.last_hash != expected_prev:
        return checked, BrokenLink(head.last_event_id or 0, "the newest events are missing (deleted)")
    if last_id is not None:
        AuditCheckpoint.objects.update_or_create(
            pk=1, defaults={"seq": checked, "hash": expected_prev, "event_id": last_id, "verified_at": timezone.now()}
        )
    return checked, None


def _links_in_order(batch_size: int, *, after: int = 0) -> Iterator[tuple[int, str, tuple]]:
    """Each event after `after` in chain order as (id, stored hash, the values its hash covers): plain
    values a batch at a time through the sequence's index, no model instances."""
    last_seq = after
    columns = ("pk", "hash", *HASHED_FIELDS)
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq").values_list(*columns)[:batch_size])
        if not batch:
            return
        for pk, stored_hash, *hashed in batch:
            yield pk, stored_hash, tuple(hashed)
        last_seq = batch[-1][-1]
