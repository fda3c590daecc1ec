"""Domain events: how one app tells the others what happened, without importing them.

An app declares the events it sends (`contracts/events.py`: `CONTRACT_WENT_LIVE = define(...)`); its
services `send` them inside their transaction; an app further left in the dependency chain
(`monitoring → contracts → frameworks → suppliers → commissioning`) imports those declarations and
`listen`s, in its `AppConfig.ready()`. So `contracts` never imports `monitoring`, and no page view
has to catch up on work another app did not know to do.

Delivery happens after the sender's transaction commits, and never if it rolls back (a refused or
failed move tells nobody). Each handler then runs in a transaction of its own: one that fails is
logged and rolled back alone, without undoing what was committed or stopping the other handlers. So
a handler must be safe to run again (a management command may repeat its work to catch up), and
anything that must not be lost belongs in the sender's own transaction instead.

Payloads are ids and plain values (numbers, text, dates, booleans, None, and lists of those), never
model instances: a handler reads what it needs, as committed. `send` refuses a payload whose fields
differ from the event's declaration, so a typo fails in tests rather than silently in production.

Why a registry and not Django signals: a signal's receivers run at once, inside the sender's
transaction, so every sender would have to remember `transaction.on_commit`, and a receiver's error
would break the sender's request; signals are also declared without their payload, and receivers held
by weak reference can vanish unnoticed. A registry keeps those rules in one place and reads like
the other registries here (`commissioning.notifications`, `commissioning.reports`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from .clock import happened_at, replaying

logger = logging.getLogger(__name__)

Handler = Callable[..., None]
PLAIN = (int, str, bool, float, Decimal, date, datetime, type(None))


@dataclass(frozen=True)
class Event:
    """A kind of thing that happened: its name ("contracts.contract_went_live") and payload fields."""

    name: str
    fields: tuple[str, ...]

    def __str__(self) -> str:
        return self.name


_events: dict[str, Event] = {}
_handlers: dict[str, list[Handler]] = {}


def define(name: str, *fields: str) -> Event:
    """Declare an event the calling app sends; declaring the same event again returns it."""
    event = Event(name=name, fields=tuple(fields))
    known = _events.setdefault(name, event)
    if known != event:
        raise ValueError(f"The event {name} is already declared with the fields {known.fields}")
    return known


def listen(event: Event, handler: Handler) -> None:
    """Run `handler(**payload)` after every committed `send(event, ...)`. Registering twice is once."""
    handlers = _handlers.setdefault(event.name, [])
    if handler not in handlers:
        handlers.append(handler)


def stop_listening(event: Event, handler: Handler) -> None:
    if handler in _handlers.get(event.name, []):
        _handlers[event.name].remove(handler)


def handlers_of(event: Event) -> list[Handler]:
    return list(_handlers.get(event.name, []))


def _check_payload(event: Event, payload: dict[str, Any]) -> None:
    if set(payload) != set(event.fields):
        raise TypeError(f"{event.name} takes {sorted(event.fields)}, not {sorted(payload)}")
    for name, value in payload.items():
        values = value if isinstance(value, list | tuple) else [value]
        if not all(isinstance(item, PLAIN) for item in values):
            raise TypeError(f"{event.name}: {name} must be an id or a plain value, not {type(value).__name__}")


def send(event: Event, **payload: Any) -> None:
    """Tell every listener, once the current transaction commits (at once outside a transaction)."""
    _check_payload(event, payload)
    frozen = {name: list(value) if isinstance(value, tuple) else value for name, value in payload.items()}
    moment = replaying()
    if moment is None:
        transaction.on_commit(lambda: deliver(event, frozen))
    else:  # replayed history (the demo): what the event causes happened at the same moment
        transaction.on_commit(lambda: _deliver_at(moment, event, frozen))


def _deliver_at(moment, event: Event, payload: dict[str, Any]) -> None:
    with happened_at(moment):
        deliver(event, payload)


def deliver(event: Event, payload: dict[str, Any]) -> None:
    """Run each handler in its own transaction; a failure is logged and does not stop the others."""
    for handler in handlers_of(event):
        try:
            with transaction.atomic():
                handler(**payload)
        except Exception:  # noqa: BLE001 - the sender has committed: log, and let the others run
            logger.exception(
                "Handler %s of %s failed for %s", getattr(handler, "__qualname__", handler), event, payload
            )


@contextmanager
def recorded(*watched: Event) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Collect the events delivered while the block runs, as (name, payload): for tests and for
    commands that report what they caused."""
    seen: list[tuple[str, dict[str, Any]]] = []
    handlers = []
    for event in watched:

        def remember(_name: str = event.name, **payload: Any) -> None:
            seen.append((_name, payload))

        handlers.append((event, remember))
        listen(event, remember)
    try:
        yield seen
    finally:
        for event, handler in handlers:
            stop_listening(event, handler)
