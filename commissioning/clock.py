"""When a recorded thing happened. Normally now; the demo loader replays history from 2015 to 2025, and
what it records carries the date it stands for, not the day it was loaded: audit events, field history,
the times services stamp (`recorded_now`), rows' automatic created and updated times, and what domain
events cause after the transaction commits (`commissioning.events.send` carries the moment over).

    with happened_at(datetime(2025, 6, 30, 10, tzinfo=LONDON)):
        services.decide_lot(...)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time

from django.utils import timezone

_moment: ContextVar[datetime | None] = ContextVar("happened_at", default=None)


@contextmanager
def happened_at(moment: datetime) -> Iterator[None]:
    token = _moment.set(moment)
    try:
        yield
    finally:
        _moment.reset(token)


def happened_on(day: date, hour: int = 10) -> datetime:
    """A moment on a day (in London) for `happened_at`: records of a day in the past."""
    from .dates import LONDON

    return datetime.combine(day, time(hour), tzinfo=LONDON)


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


def date_automatic_times(sender, instance=None, created=False, raw=False, **kwargs) -> None:
    """A row saved during a replay carries the replayed moment in its automatic times (`auto_now_add` when
    created, `auto_now` always), which Django stamps with the real time as it saves."""
    moment = _moment.get()
    if moment is None or raw or instance is None:
        return
    stamps = {
        field.attname: moment
        for field in instance._meta.concrete_fields
        if getattr(field, "auto_now", False) or (created and getattr(field, "auto_now_add", False))
    }
    if stamps:
        type(instance)._base_manager.filter(pk=instance.pk).update(**stamps)
        for name, value in stamps.items():
            setattr(instance, name, value)
