"""Each live contract's next decision point, stored: `Contract.decision_point_on`, the notice period before the
current end while an extension option is left (and the contract is not terminated), else its effective end;
empty for a draft. It is what `ContractQuerySet.with_next_decision` works out (`reaches_on`), kept in a column
so that the officers' queue of contracts reaching a decision point reads them in that order off an index
(`contract_decision_point_idx`) instead of working the date out for, and sorting, every contract in force.

It depends only on the contract's terms, never on today's date, so it changes only when they do: the contracts
services store it again (`store`, in the same transaction) when a contract goes live, an option is exercised,
the end date is varied, the contract is terminated, or its notice period is changed. `manage.py
rebuild_decision_points` stores it for every contract (after rows were written behind the services);
`--check` compares.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Case, OuterRef, Subquery, When

from .models import Contract


def _worked_out() -> Case:
    """The next decision point as the database works it out, for the contract of the row being written."""
    reaches = Contract.objects.filter(pk=OuterRef("pk")).with_next_decision().values("reaches_on")[:1]
    return Case(When(activated_at__isnull=False, then=Subquery(reaches)), default=None)


def store(contract: Contract) -> None:
    """Store the contract's next decision point, worked out by the database from its saved terms, and keep the
    instance in step (a later full save of it must not write back an older point)."""
    Contract.objects.filter(pk=contract.pk).update(decision_point_on=_worked_out())
    contract.refresh_from_db(fields=["decision_point_on"])


def differing() -> list[int]:
    """The contracts whose stored decision point is not the one worked out from their terms."""
    worked_out = Contract.objects.with_next_decision().annotate(
        expected=Case(When(activated_at__isnull=False, then="reaches_on"), default=None)
    )
    return sorted(
        pk
        for pk, stored, expected in worked_out.values_list("pk", "decision_point_on", "expected").order_by()
        if stored != expected
    )


def rebuild() -> int:
    """Store every contract's decision point; returns how many contracts were written. The contracts are
    locked first, as the services lock the one they change, so a change made meanwhile is not overwritten
    with the terms read before it."""
    with transaction.atomic():
        list(Contract.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
        return Contract.objects.update(decision_point_on=_worked_out())
