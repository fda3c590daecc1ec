"""Each role's home page is their to-do list: the work queues.

The apps know what needs doing; the home pages (here, in `commissioning`, and in `frameworks`) must not
import them (dependencies point one way). So each app registers *queue builders* for a role, as the
reminder sources do in `commissioning.notifications`: a builder takes the user and the moment and
returns a `Queue` (or None when it has nothing to say to that user). Every builder reads with a fixed
number of queries however many items there are, each reading a bounded number of rows (a capped slice
for the rows shown, a count that stops at `COUNT_UP_TO`), so a home page costs the same with 5 items or
5,000; tests assert the queries.

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
# A queue counts its items up to this many and says "99+" beyond: an exact count of a long queue reads
# every row of it on every view of the home page, and nobody acts differently on 1,204 than on 100.
COUNT_UP_TO = 99

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


@dataclass(frozen=True)
class DeadlineWords:
    """How a queue row words a date that is either still ahead or has passed."""

    ahead_label: str
    passed_label: str
    ahead_tag: str
    passed_tag: str


DUE = DeadlineWords("Due by", "Was due on", "Due soon", "Overdue")
EXPIRY = DeadlineWords("Expires on", "Expired on", "Expiring soon", "Expired")


def deadline(when: date, today: date, words: DeadlineWords = DUE) -> dict[str, Any]:
    """A row's date, label and tag for something due by `when`: a red tag once the date has passed, a
    yellow one while it is still ahead, so every queue marks lateness alike. For a `QueueItem`'s fields."""
    passed = when < today
    return {
        "when": when,
        "when_label": words.passed_label if passed else words.ahead_label,
        "tag": words.passed_tag if passed else words.ahead_tag,
        "tag_colour": "red" if passed else "yellow",
    }


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
    def over_count(self) -> bool:
        """More items than were counted (see `bounded_count`)."""
        return self.count > COUNT_UP_TO

    @property
    def count_label(self) -> str:
        return f"{COUNT_UP_TO}+" if self.over_count else str(self.count)

    @property
    def more(self) -> int:
        return max(min(self.count, COUNT_UP_TO) - len(self.items), 0)

    @property
    def more_label(self) -> str:
        return f"over {self.more} more" if self.over_count else f"{self.more} more"

    @classmethod
    def of(cls, rows, item: Callable[[Any], QueueItem], **fields) -> Queue:
        """A queue of rows: its first SHOWN rows as items and how many there are. A queryset is read in one
        query when it has fewer rows than SHOWN (none for an empty `.none()`), else in two, its count
        bounded (see `count_beyond`); a list already read is counted as it is."""
        if isinstance(rows, list):
            shown, count = rows[:SHOWN], len(rows)
        else:
            shown = list(rows[:SHOWN])
            count = count_beyond(rows, shown, SHOWN)
        return cls(count=count, items=[item(row) for row in shown], **fields)


def bounded_count(rows) -> int:
    """How many rows the queryset has, reading at most COUNT_UP_TO + 1 of them: a result above
    COUNT_UP_TO means "more than COUNT_UP_TO"."""
    return rows.order_by()[: COUNT_UP_TO + 1].count()  # unordered: the database may stop at the limit


def count_beyond(rows, read: list, limit: int) -> int:
    """How many rows the queryset has, given the `read` rows of a slice of it up to `limit`: a slice that
    came back short holds them all, so only a full one needs the count (bounded, see `bounded_count`).
    Most queues hold fewer items than a home page shows, and each then costs one query, not two."""
    return len(read) if len(read) < limit else bounded_count(rows)


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


def total(queues: list[Queue], *, up_to: int = INFORMATION) -> tuple[int, bool]:
    """How many things need doing: the items of every queue more urgent than information, and whether
    there are more than that (a queue had more than it counted)."""
    urgent = [q for q in queues if q.urgency < up_to]
    return sum(min(q.count, COUNT_UP_TO) for q in urgent), any(q.over_count for q in urgent)
