"""What every award service shares: the competition lifecycle table, the rule error, locking, who may run a
competition, whom to e-mail and how money is read."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from commissioning.audit import record
from commissioning.email import send_after_commit
from commissioning.models import User
from commissioning.rules import is_established
from contracts import services as contract_services
from contracts.award.models import (
    Competition,
    Tender,
)
from contracts.models import term_end
from frameworks import evaluation
from suppliers.models import Supplier

# A move the award rules do not allow; its message is shown to the user as it is.
AwardRuleError = evaluation.EvaluationRuleError

Status = Competition.Status
TenderStatus = Tender.Status
PENNY = Decimal("0.01")

# The competition lifecycle, in one place: draft → published → closed (responses opened) → evaluated
# → awarded (standstill) → contracted; or cancelled before an award.
TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.PUBLISHED, Status.CANCELLED},
    Status.PUBLISHED: {Status.CLOSED, Status.CANCELLED},
    Status.CLOSED: {Status.EVALUATED, Status.CANCELLED},
    Status.EVALUATED: {Status.AWARDED, Status.CANCELLED},
    Status.AWARDED: {Status.CONTRACTED},
    Status.CONTRACTED: set(),
    Status.CANCELLED: set(),
}


def now_or(now: datetime | None) -> datetime:
    return now or timezone.now()


def field_error(field: str, message: str) -> AwardRuleError:
    return AwardRuleError({field: [message]})


def move(competition: Competition, to: str, *, by: User | None, data: dict | None = None) -> None:
    """Change the competition's status if the lifecycle allows it, and record the move."""
    if to not in TRANSITIONS[competition.status]:
        raise AwardRuleError(
            f"A competition that is {competition.get_status_display().lower()} cannot become "
            f"{Status(to).label.lower()}."
        )
    before = competition.status
    competition.status = to
    competition.save()
    record(f"competition.{to}", by=by, obj=competition, data={"from": before, **(data or {})})


def lock_competition(competition: Competition) -> Competition:
    return Competition.objects.select_for_update().get(pk=competition.pk)


def may_run(user: User, competition_or_authority_id) -> bool:
    """Officers of the buying authority run a competition or direct award (platform administrators take no
    commissioning decisions)."""
    authority_id = getattr(competition_or_authority_id, "buying_authority_id", competition_or_authority_id)
    is_officer = user.is_authenticated and user.is_active and user.role == User.Role.OFFICER
    return bool(is_officer and user.authority_id == authority_id)


def require_officer(competition, user: User) -> None:
    if not may_run(user, competition):
        raise PermissionDenied("Only officers of the buying authority may do this.")


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


def notify(*, to: Iterable[str], subject: str, message: str, url: str, details=(), action: str = "") -> None:
    """An email to each recipient on their own (bidders must not learn who else is bidding), sent after
    the commit, in the portal's plain notice layout."""
    for address in sorted(set(to)):
        send_after_commit(
            to=[address],
            subject=subject,
            template="award/notice",
            context={"subject": subject, "message": message, "details": list(details), "url": url, "action": action},
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
