"""What every award service shares: the competition lifecycle table, the rule error, locking, who may run a
competition, whom to e-mail and how money is read."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied

from commissioning.audit import record
from commissioning.clock import recorded_now
from commissioning.email import send_after_commit
from commissioning.models import User
from commissioning.rules import acts_for_running_authority, is_established
from contracts import services as contract_services
from contracts.award.lifecycles import COMPETITION
from contracts.award.models import (
    Competition,
    Tender,
)
from contracts.models import term_end
from contracts.notices.services import required_unpublished, sync_notices
from frameworks import evaluation
from suppliers.models import Supplier

# A move the award rules do not allow; its message is shown to the user as it is. An illegal move of a
# lifecycle (`contracts.award.lifecycles`) raises its subclass IllegalMove.
AwardRuleError = evaluation.EvaluationRuleError

Status = Competition.Status
TenderStatus = Tender.Status
PENNY = Decimal("0.01")

# The competition lifecycle, in one place (see lifecycles.py).
TRANSITIONS = COMPETITION.transitions


def now_or(now: datetime | None) -> datetime:
    return now or recorded_now()


def field_error(field: str, message: str) -> AwardRuleError:
    return AwardRuleError({field: [message]})


def require_notice_published(obj: Any, notice_type: str, refusal: str, *, by: User) -> None:
    """Where the Act wants a notice published before a step (UK6 before the award's contract, UK5 before a
    direct award is approved): bring `obj`'s notices up to date first, so that the check reads what the
    record needs now, then refuse with `refusal` while that notice is not yet published."""
    sync_notices(obj, by=by)
    if required_unpublished(obj, notice_type):
        raise AwardRuleError(refusal)


def move(competition: Competition, move_name: str, *, by: User | None, data: dict | None = None) -> None:
    """Make a move of the competition's lifecycle (refused with IllegalMove where the table has none), save
    it and record it as "competition.<new status>"."""
    before = competition.status
    competition.status = COMPETITION.next_status(move_name, before)
    competition.save()
    record(f"competition.{competition.status}", by=by, obj=competition, data={"from": before, **(data or {})})


def lock_competition(competition: Competition) -> Competition:
    return Competition.objects.select_for_update().get(pk=competition.pk)


def require_officer(competition, user: User) -> None:
    """Officers of the buying authority (and administrators) run a competition or a direct award."""
    if not acts_for_running_authority(user, competition):
        raise PermissionDenied("Only officers of the buying authority may do this.")


def lock_for_officer(competition: Competition, by: User, move_name: str | None = None) -> Competition:
    """The competition locked for `by`, an officer of its buying authority, to change; with `move_name`,
    refused unless its lifecycle allows that move from where it stands."""
    competition = lock_competition(competition)
    require_officer(competition, by)
    if move_name is not None:
        COMPETITION.next_status(move_name, competition.status)
    return competition


def require_established(user: User, step: str) -> None:
    """The second person of a two-person step must be established: not an account made or given its role
    in the last few days without a second administrator's approval."""
    if not is_established(user):
        raise AwardRuleError(
            f"Your officer role is less than {settings.ESTABLISHED_AFTER_DAYS} days old and was not approved by a "
            f"second platform administrator, so you cannot be the second officer to {step}. Ask an established "
            "colleague."
        )


def supplier_of(user: User) -> Supplier:
    membership = getattr(user, "supplier_membership", None)
    if membership is None or not user.is_active:
        raise PermissionDenied("Only provider users act for a supplier.")
    return membership.supplier


def require_supplier_of(tender: Tender, user: User) -> None:
    if supplier_of(user).pk != tender.supplier_id:
        raise PermissionDenied("You do not act for this bidder.")


def emails_of_suppliers(supplier_ids: Iterable[int]) -> list[str]:
    return list(
        User.objects.filter(
            supplier_membership__supplier__in=list(supplier_ids), is_active=True, role=User.Role.PROVIDER
        ).values_list("email", flat=True)
    )


def officer_emails(authority_id: int, *, exclude: User | None = None) -> list[str]:
    qs = User.objects.filter(role=User.Role.OFFICER, is_active=True, authority=authority_id)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return list(qs.values_list("email", flat=True))


def notify(
    *,
    to: Iterable[str],
    subject: str,
    message: str,
    url: str,
    details=(),
    action: str = "",
    sealed_until: datetime | None = None,
    sealed_for: str = "",
) -> None:
    """An email to each recipient on their own (the e-mail path sends one per address, so bidders never
    learn who else is bidding), sent after the commit, in the portal's plain notice layout.
    `sealed_until` keeps it out of the officers' e-mail log until then (it would name a bidder)."""
    send_after_commit(
        to=to,
        subject=subject,
        template="award/notice",
        context={"subject": subject, "message": message, "details": list(details), "url": url, "action": action},
        sealed_until=sealed_until,
        sealed_for=sealed_for,
    )


def read_money(value: Any, *, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(PENNY, rounding=ROUND_HALF_UP)
    except Exception as exc:  # noqa: BLE001 - any unparsable input is the same user error
        raise field_error(field, "Enter an amount in pounds, like 296973.00") from exc
    if amount < 0:
        raise field_error(field, "The amount cannot be negative")
    return amount


def contract_total(start_on: date, term_months: int, annual: Decimal) -> Decimal:
    """The value over the initial term, spread by financial year exactly as the contract records it."""
    end = term_end(start_on, term_months)
    return sum(contract_services.spread_annual_value(start_on, end, annual).values(), Decimal(0))
