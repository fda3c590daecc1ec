"""Each role's home page is their to-do list: the work queues.

The apps know what needs doing; the home pages (here, in `commissioning`, and in `frameworks`) must not
import them (dependencies point one way). So each app registers *queue builders* for a role, as the
reminder sources do in `commissioning.notifications`: a builder takes the user and the moment and
returns a `Queue` (or None when it has nothing to say to that user). Every builder reads with a fixed
number of queries however many items there are (counts with `.count()`, a capped slice for the rows),
so a home page costs the same with 5 items or 200; tests assert it.

The "public" role is the signed-out visitor: its queues are the way in (open opportunities, each
framework's published suppliers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

# How many rows a queue shows on a home page; the count and the "see all" link say how many there are.
SHOWN = 5

# Urgency, most urgent first: overdue work, then work waiting on this user, then what is coming up.
OVERDUE = 0
ACTION = 10
SOON = 20
INFORMATION = 30


@dataclass(frozen=True)
class Action:
    """A button on a queue row that posts to `url` (for example "Send a reminder")."""

    label: str
    url: str
    hidden_context: str = ""


@dataclass(frozen=True)
class QueueItem:
    title: str
    url: str
    detail: str = ""
    when: date | datetime | None = None
    when_label: str = ""
    tag: str = ""
    tag_colour: str = ""  # a GOV.UK tag modifier: "red", "yellow", "blue", "grey", "green"
    action: Action | None = None

    @property
    def when_is_time(self) -> bool:
        return isinstance(self.when, datetime)

    @property
    def when_iso(self) -> str:
        """For a `time` element's datetime attribute (whole seconds, as HTML allows)."""
        if isinstance(self.when, datetime):
            return timezone.localtime(self.when).isoformat(timespec="seconds")
        return self.when.isoformat() if self.when else ""


@dataclass
class Queue:
    key: str
    heading: str
    count: int
    items: list[QueueItem] = field(default_factory=list)
    urgency: int = ACTION
    see_all_url: str = ""
    see_all_label: str = ""
    empty: str = ""  # shown when count is 0; a queue with nothing and no `empty` text is left out

    @property
    def more(self) -> int:
        return max(self.count - len(self.items), 0)

    @classmethod
    def of(cls, rows, item: Callable[[Any], QueueItem], **fields) -> Queue:
        """A queue of rows: its first SHOWN rows as items and the count of all. A queryset is read in two
        queries (none for an empty `.none()`); a list already read is counted as it is."""
        count = len(rows) if isinstance(rows, list) else rows.count()
        return cls(count=count, items=[item(row) for row in rows[:SHOWN]], **fields)


Builder = Callable[[Any, datetime], "Queue | None"]

_builders: dict[str, dict[str, Builder]] = {}


def register(role: str, key: str, builder: Builder) -> None:
    """Add (or replace) the builder `key` of a role's home page."""
    _builders.setdefault(role, {})[key] = builder


def unregister(role: str, key: str) -> None:
    _builders.get(role, {}).pop(key, None)


def registered(role: str) -> list[str]:
    return sorted(_builders.get(role, {}))


def queues_for(role: str, user: Any = None, now: datetime | None = None) -> list[Queue]:
    """The role's queues for this user, most urgent first, then largest first; empty queues last
    (and only those with something to say when empty)."""
    now = now or timezone.now()
    found = []
    for key in registered(role):
        queue = _builders[role][key](user, now)
        if queue is None or (queue.count == 0 and not queue.empty):
            continue
        found.append(queue)
    return sorted(found, key=lambda q: (q.count == 0, q.urgency, -q.count, q.heading))


def total(queues: list[Queue], *, up_to: int = INFORMATION) -> int:
    """How many things need doing: the items of every queue more urgent than information."""
    return sum(q.count for q in queues if q.urgency < up_to)
