"""The whole-life value of a contract: its initial term and every extension option, excluding VAT. The
social value threshold (seed 000's £100,000, the SOCIAL_VALUE_THRESHOLD setting) compares it, and the
Procurement Act's thresholds compare it with VAT added, so a £30,000-a-year contract of 3 + 1 + 1 years
(£150,000 over its life) is over £100,000 although its initial term is not.

Each function returns a `WholeLife`: the amount and the words that show how it was reached, for the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from commissioning.templatetags.portal import money

PENNY = Decimal("0.01")


def describe_months(months: int) -> str:
    if months % 12 == 0:
        return f"{months // 12} year{'s' if months != 12 else ''}"
    return f"{months} month{'s' if months != 1 else ''}"


def describe_term(months: int | None, extensions: list[int]) -> str:
    return " + ".join([describe_months(months) if months else "the initial term", *map(describe_months, extensions)])


@dataclass(frozen=True)
class WholeLife:
    amount: Decimal
    basis: str

    @property
    def over_social_value_threshold(self) -> bool:
        return self.amount > settings.SOCIAL_VALUE_THRESHOLD

    @property
    def social_value_basis(self) -> str:
        """The sentence a page shows beside a Social Value Proposal (or its absence)."""
        threshold = money(settings.SOCIAL_VALUE_THRESHOLD)
        if self.over_social_value_threshold:
            return (
                f"Whole-life value {money(self.amount)} excluding VAT ({self.basis}) is over the {threshold} "
                "threshold: a Social Value Proposal is required, scored and moderated in the award."
            )
        return (
            f"Whole-life value {money(self.amount)} excluding VAT ({self.basis}) is not over the {threshold} "
            "threshold: no Social Value Proposal is required."
        )


def _spread_total(start_on: date, months: int, annual: Decimal) -> Decimal:
    """The value over `months` from `start_on`, spread by financial year as a contract records it."""
    from contracts.models import term_end
    from contracts.services import spread_annual_value

    return sum(spread_annual_value(start_on, term_end(start_on, months), annual).values(), Decimal(0))


def from_annual(start_on: date, term_months: int, extensions: list[int], annual: Decimal | None) -> WholeLife:
    """An award or direct award: the annual value over the initial term and every option."""
    annual = annual or Decimal(0)
    months = term_months + sum(extensions)
    amount = _spread_total(start_on, months, annual)
    options = " including the extension options" if extensions else ""
    return WholeLife(amount, f"{money(annual)} a year over {describe_term(term_months, extensions)}{options}")


def from_estimate(estimated_total: Decimal | None, term_months: int, extensions: list[int]) -> WholeLife:
    """A competition: its estimated value over the initial term, scaled up to the options' months."""
    estimate = estimated_total or Decimal(0)
    if not extensions:
        return WholeLife(estimate, f"the estimated value over {describe_term(term_months, [])}")
    amount = (estimate * (term_months + sum(extensions)) / term_months).quantize(PENNY, rounding=ROUND_HALF_UP)
    return WholeLife(
        amount,
        f"{money(estimate)} estimated over the initial term, scaled to {describe_term(term_months, extensions)} "
        "including the extension options",
    )


def of_contract(contract, *, recorded_total: Decimal | None = None) -> WholeLife:
    """A contract in the register: every recorded financial year's value, plus each option not yet exercised
    valued at the current term's daily value. `recorded_total` replaces the recorded values (a variation
    checks the total it would make). Uses the prefetched extension options."""
    from contracts.models import extended_end

    recorded = contract.total_value_now if recorded_total is None else recorded_total
    pending = [o.months for o in contract.extension_options.all() if not hasattr(o, "exercised")]
    if not pending or contract.terminated_on is not None:
        return WholeLife(recorded, "the value recorded for each financial year")
    exercised = [o.months for o in contract.extension_options.all() if hasattr(o, "exercised")]
    initial = contract.initial_term_months
    if initial:  # a whole number of months: each option is worth the same per month as the term so far
        options = recorded * sum(pending) / (initial + sum(exercised))
        rate = "month"
    else:
        term_days = (contract.current_end_on - contract.start_on).days + 1
        end, option_days = contract.current_end_on, 0
        for months in pending:
            later = extended_end(end, months)
            option_days += (later - end).days
            end = later
        options = recorded * option_days / term_days
        rate = "day"
    options = Decimal(options).quantize(PENNY, rounding=ROUND_HALF_UP)
    return WholeLife(
        recorded + options,
        f"{money(recorded)} recorded, plus {money(options)} for the extension options not yet exercised "
        f"({' + '.join(describe_months(m) for m in pending)}) at the same value a {rate}",
    )
