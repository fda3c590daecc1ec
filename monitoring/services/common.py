"""What the return services share: the lifecycle, its errors, and who may act on a contract's returns."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError

from commissioning.dates import Quarter
from commissioning.lifecycle import IllegalMove
from commissioning.models import User
from commissioning.rules import acts_for_running_authority
from contracts.models import Contract

from .. import figures as checks
from ..models import (
    QuarterlyReturn,
)

Status = QuarterlyReturn.Status


NARRATIVE_FIELDS = ("achievements", "challenges", "risks", "emerging_themes", "case_study")


# The lifecycle: which statuses each move starts from, and where it goes (None: stays as it is).
TRANSITIONS: dict[str, dict[str | None, str | None]] = {
    "save": {None: Status.DRAFT, Status.DRAFT: None, Status.RETURNED: None},
    "submit": {Status.DRAFT: Status.SUBMITTED, Status.RETURNED: Status.RESUBMITTED},
    "accept": {Status.SUBMITTED: Status.ACCEPTED, Status.RESUBMITTED: Status.ACCEPTED},
    "return": {Status.SUBMITTED: Status.RETURNED, Status.RESUBMITTED: Status.RETURNED},
}


class ReturnRuleError(ValidationError):
    """A monitoring rule refused the move; messages keyed by form field where one applies."""

    def __init__(self, message: str | list[str], *, field: str = NON_FIELD_ERRORS):
        messages = [message] if isinstance(message, str) else list(message)
        super().__init__({field: messages})
        self.field = field
        self.texts = messages

    def __str__(self) -> str:
        return " ".join(self.texts)


class IllegalReturnMove(ReturnRuleError, IllegalMove):
    """A move the return's lifecycle does not allow: the IllegalMove every lifecycle raises, and a
    ReturnRuleError like every other refusal here."""


class FigureErrors(ReturnRuleError):
    """The figures failed the checks; `errors` holds each one with the field it belongs to."""

    def __init__(self, errors: list[checks.FigureError]):
        super().__init__([e.message for e in errors])
        self.errors = errors


def next_status(move: str, status: str | None) -> str:
    """Where `move` takes a return in `status`, or an IllegalReturnMove saying why it cannot."""
    allowed = TRANSITIONS[move]
    if status not in allowed:
        label = QuarterlyReturn.Status(status).label.lower() if status else "not started"
        verbs = {
            "save": "changed",
            "submit": "submitted",
            "accept": "accepted",
            "return": "returned for amendment",
        }
        raise IllegalReturnMove(f"A return that is {label} cannot be {verbs[move]}")
    return allowed[status] or status


def _require_officer(user: User, contract: Contract) -> None:
    """An officer of the authority that buys the contract (commissioning.rules decides)."""
    if not acts_for_running_authority(user, contract):
        raise PermissionDenied("Only commissioning officers of the authority that buys this contract can do this.")


def _require_provider_of(contract: Contract, user: User) -> None:
    membership = getattr(user, "supplier_membership", None)
    if not (user.is_active and membership is not None and membership.supplier_id == contract.supplier_id):
        raise PermissionDenied("You do not act for this contract's provider.")


def return_is_due(contract: Contract, quarter: Quarter) -> bool:
    """A return is due for every contract in force (gone live, not ended) on any day of the quarter."""
    return Contract.objects.in_force_during(quarter.start, quarter.end).filter(pk=contract.pk).exists()


def _check_due(contract: Contract, quarter: Quarter, today: date) -> None:
    if today < quarter.start:
        raise ReturnRuleError(f"The return for {quarter.label} cannot be started before the quarter begins")
    if not return_is_due(contract, quarter):
        raise ReturnRuleError(f"No return is due for {contract.reference} for {quarter.label}")


def contract_areas(contract: Contract) -> list:
    from commissioning.models import Area

    areas = list(contract.areas.all())
    return areas or list(Area.objects.order_by("name"))


def _lock(quarterly_return: QuarterlyReturn) -> QuarterlyReturn:
    # Only the return's own row is locked: PostgreSQL cannot lock the nullable side of an outer join.
    return (
        QuarterlyReturn.objects.select_for_update(of=("self",))
        .select_related("contract__supplier", "period", "contract__officer_manager", "contract__supplier_manager_user")
        .get(pk=quarterly_return.pk)
    )
