"""What the contract services share: the rule error, money and dates, the row lock."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Sum
from django.utils import timezone

from commissioning.dates import financial_year_label, financial_year_of
from commissioning.errors import RuleError
from commissioning.models import User

from .. import coverage_tallies, decision_points
from ..models import (
    ZERO,
    Contract,
    ContractYearValue,
    SocialValueProposal,
    long_date,
)

PENNY = Decimal("0.01")


class ContractRuleError(RuleError):
    """A contract rule refused the move. Messages are keyed by form field where one applies."""


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _id(user: User | None) -> int | None:
    return user.pk if user is not None else None


def _money(value: Any, *, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(PENNY, rounding=ROUND_HALF_UP)
    except Exception as exc:  # noqa: BLE001 - any unparsable input is the same user error
        raise ContractRuleError("Enter an amount in pounds, like 296973.00", field=field) from exc
    if amount < 0:
        raise ContractRuleError("The amount cannot be negative", field=field)
    if amount >= Decimal("10000000000"):
        raise ContractRuleError("The amount must be less than £10,000,000,000", field=field)
    return amount


def _locked(contract: Contract) -> Contract:
    """Re-read the contract with a row lock so two officers cannot make conflicting moves."""
    return Contract.objects.select_for_update().get(pk=contract.pk)


def _total_value(contract: Contract) -> Decimal:
    total = ContractYearValue.objects.filter(contract=contract).aggregate(total=Sum("amount"))["total"] or ZERO
    return Decimal(total).quantize(PENNY)


def _sync_notices(record_: models.Model, *, by: User | None) -> None:
    """The Procurement Act notices the record now needs (`contracts.notices`)."""
    from ..notices.services import sync_notices

    sync_notices(record_, by=by)


def _has_accepted_social_value(contract: Contract) -> bool:
    return SocialValueProposal.objects.filter(contract=contract, accepted_at__isnull=False).exists()


def social_value_required(kind: str, total_value: Decimal) -> bool:
    """A contract (not a grant agreement) whose whole-life value is over the threshold needs an accepted
    Social Value Proposal.

    The threshold compares the whole-life value (`contracts.whole_life`): every financial year's value and
    every extension option, excluding VAT. Seed 000 requires a proposal for "any contract awarded over
    £100,000.00", the value awarded, so neither a year's share (a three-year £60,000-a-year contract,
    £180,000 in all) nor the initial term alone (£30,000 a year for 3 + 1 + 1 years, £150,000) may escape
    it. Grant agreements are not procurement awards, where social value is scored and moderated, so the
    rule does not apply to them.
    """
    return kind == Contract.Kind.CONTRACT and total_value > settings.SOCIAL_VALUE_THRESHOLD


def spread_annual_value(start: date, end: date, annual: Decimal) -> dict[int, Decimal]:
    """Spread an annual value over the financial years a term touches, pro rata by day.

    A whole financial year gets exactly the annual value; a part year gets its share of the days.
    """
    values: dict[int, Decimal] = {}
    for year in range(financial_year_of(start), financial_year_of(end) + 1):
        fy_start, fy_end = date(year, 4, 1), date(year + 1, 3, 31)
        first, last = max(start, fy_start), min(end, fy_end)
        covered = (last - first).days + 1
        whole = (fy_end - fy_start).days + 1
        share = annual if covered == whole else annual * covered / whole
        values[year] = Decimal(share).quantize(PENNY, rounding=ROUND_HALF_UP)
    return values


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    return value


def _check_year_in_term(contract: Contract, year: int, *, field: str) -> None:
    """A value or funding row must fall in the term, counting the extension options not yet used."""
    if year not in contract.potential_financial_years:
        raise ContractRuleError(
            f"{financial_year_label(year)} is outside the contract's term, including its extension options "
            f"({long_date(contract.start_on)} to {long_date(contract.furthest_end_on)})",
            field=field,
        )


def dates_changed(contract: Contract) -> None:
    """A live contract started, or its end moved (going live, an extension, an end-date variation, a
    termination): recount its lot's coverage tallies and store its next decision point, in the transaction
    of the change."""
    coverage_tallies.recount([contract.lot_id])
    decision_points.store(contract)
