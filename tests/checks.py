"""Checks shared by tests of several apps."""

from __future__ import annotations

import pytest

from commissioning.lifecycle import IllegalMove, Lifecycle, RuleError


def check_move(lifecycle: Lifecycle, move: str, obj, call, *, skip=()) -> None:
    """Try the move from every status of the lifecycle, on the same object (the statuses the table refuses
    first: they change nothing)."""
    statuses = sorted(lifecycle.statuses.values, key=lambda status: lifecycle.allows(move, status))
    for status in statuses:
        if status in skip:
            continue
        type(obj).objects.filter(pk=obj.pk).update(status=status)
        if lifecycle.allows(move, status):
            try:
                call()
            except IllegalMove as refused:  # pragma: no cover - the failure explains itself
                pytest.fail(f"{move} from {status} is in the table but was refused: {refused.messages}")
            except RuleError:
                pass  # another rule of the service (a deadline, a missing reason) may still refuse
            continue
        with pytest.raises(IllegalMove, match=f"that is {lifecycle.name_of(status)} cannot"):
            call()
        assert type(obj).objects.get(pk=obj.pk).status == status, f"{move} from {status} changed the status"
