"""Lifecycles as tables, and the error every refused move raises.

Each lifecycle (an application, a competition, a response, a direct award, a quarterly return) is one
table in one place: for each move, the statuses it may start from and the status it leads to (None:
the status stays as it is, for a move that is only allowed in some statuses). Services ask the table
with `next_status` before they change anything; a move the table does not list raises `IllegalMove`
with a plain message such as "A competition that is draft cannot be opened.", whatever the lifecycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models


class RuleError(ValidationError):
    """A move the portal's rules do not allow; its messages are shown to the user as they are (keyed by
    form field where they concern one)."""


class IllegalMove(RuleError):
    """A move its lifecycle's table does not allow from the status the object is in."""


Transitions = Mapping[str, Mapping[str | None, str | None]]


@dataclass(frozen=True)
class Lifecycle:
    """One lifecycle: `transitions[move][status]` is where `move` takes an object in `status`.

    `thing` names the object with its article ("A competition"); `refusals[move]` says what cannot
    happen ("be published"); `names` overrides how a status reads in a sentence where its label is
    long ("Closed: responses opened" reads "closed"); `hints[(move, status)]` adds what to do instead
    ("Withdraw it to change it."); `None` as a status is "not started" (no row yet).
    """

    thing: str
    statuses: type[models.TextChoices]
    transitions: Transitions
    refusals: Mapping[str, str]
    names: Mapping[str, str] = field(default_factory=dict)
    hints: Mapping[tuple[str, str | None], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = set(self.transitions) - set(self.refusals)
        if missing:
            raise ValueError(f"{self.thing}: no refusal message for {sorted(missing)}")

    def name_of(self, status: str | None) -> str:
        if status is None:
            return "not started"
        return self.names.get(status) or self.statuses(status).label.lower()

    def allows(self, move: str, status: str | None) -> bool:
        return status in self.transitions[move]

    def next_status(self, move: str, status: str | None) -> str | None:
        """Where `move` takes an object in `status`, or an IllegalMove saying why it cannot."""
        allowed = self.transitions[move]
        if status not in allowed:
            hint = self.hints.get((move, status))
            message = f"{self.thing} that is {self.name_of(status)} cannot {self.refusals[move]}."
            raise IllegalMove(f"{message} {hint}" if hint else message)
        return allowed[status] or status

    def targets(self, status: str | None) -> set[str]:
        """Every status some move leads to from `status` (itself excluded)."""
        return {
            to for allowed in self.transitions.values() for start, to in allowed.items() if start == status and to
        } - {status}
