"""When a recorded thing happened. Normally now; the demo loader replays history from 2025, and what
it records (audit events, field history) carries the date it stands for, not the day it was loaded.

    with happened_at(datetime(2025, 6, 30, 10, tzinfo=LONDON)):
        services.decide_lot(...)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

_moment: ContextVar[datetime | None] = ContextVar("happened_at", default=None)


@contextmanager
def happened_at(moment: datetime) -> Iterator[None]:
    token = _moment.set(moment)
    try:
        yield
    finally:
        _moment.reset(token)


def recorded_now() -> datetime:
    """The time to record: the moment being replayed, else now."""
    return _moment.get() or timezone.now()


def replaying() -> datetime | None:
    return _moment.get()


def date_field_history(sender, history_instance=None, **kwargs) -> None:
    """django-simple-history's record of a change carries the replayed moment too."""
    moment = _moment.get()
    if moment is not None and history_instance is not None:
        history_instance.history_date = moment
