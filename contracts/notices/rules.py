"""Which notices the Procurement Act 2023 requires of a procedure, and by when: one table per kind of record
(framework award, competition, award, lot not awarded, direct award, contract, variation), each decision
with its basis in words an officer can check against the Act.

The tests of value compare the whole-life estimated value including VAT (thresholds include VAT) with the
threshold in force when the procurement started (thresholds are data with start dates). Below the
threshold, ss.84-88 apply to notifiable below-threshold contracts (£30,000 and more for an authority that
is not central government): a tender notice when tenders are invited (s.87) and a contract details notice
once the contract is entered into (s.88).

Deadlines the Act sets in days (UK7, UK11) are counted here; where it says "before" an event (UK4, UK5,
UK6, UK10) the deadline is the day of that event, or, for a contract award notice, the last day on which
publishing still lets the standstill end before the planned start. Where it says "as soon as reasonably
practicable" (UK12, s.88) the portal gives 30 days and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from commissioning.dates import long_date, standstill_last_day
from commissioning.templatetags.portal import money

from .models import NoticeType, Threshold

# The Act applies to procurements started on or after this day; earlier ones followed the 2015 Regulations.
ACT_IN_FORCE = date(2025, 2, 24)
PRACTICABLE_DAYS = 30  # the portal's own deadline where the Act says "as soon as reasonably practicable"
PENNY = Decimal("0.01")


@dataclass(frozen=True)
class ValueTest:
    """A procedure's value against the thresholds, and the words that explain the result."""

    excluding_vat: Decimal
    including_vat: Decimal
    above_threshold: bool
    notifiable_below: bool
    light_touch: bool
    basis: str

    @property
    def regulated(self) -> bool:
        return self.above_threshold or self.notifiable_below


@dataclass(frozen=True)
class Requirement:
    """One notice a record needs: its type, when, and why."""

    notice_type: str
    title: str
    basis: str
    deadline: date | None
    deadline_basis: str
    voluntary: bool = False


def with_vat(amount: Decimal) -> Decimal:
    return (amount * (1 + settings.PROCUREMENT_VAT_RATE)).quantize(PENNY, rounding=ROUND_HALF_UP)


def threshold_on(kind: str, day: date) -> Threshold | None:
    """The threshold of this kind that applies to a procurement started on `day`."""
    return Threshold.objects.filter(kind=kind, starts_on__lte=day).order_by("-starts_on").first()


def value_test(excluding_vat: Decimal | None, *, light_touch: bool, started_on: date, what: str) -> ValueTest:
    """Compare a whole-life value (excluding VAT, as the portal records money) with the threshold in force
    on the day the procurement started, adding VAT at PROCUREMENT_VAT_RATE since thresholds include it."""
    kind = Threshold.Kind.LIGHT_TOUCH if light_touch else Threshold.Kind.SUB_CENTRAL
    threshold = threshold_on(kind, started_on)
    notifiable = threshold_on(Threshold.Kind.NOTIFIABLE_BELOW, started_on)
    label = "light-touch threshold" if light_touch else "sub-central goods and services threshold"
    if excluding_vat is None:
        return ValueTest(
            Decimal(0),
            Decimal(0),
            True,
            False,
            light_touch,
            f"The estimated value of {what} is not recorded, so it is treated as above the {label} until it is.",
        )
    gross = with_vat(excluding_vat)
    rate = f"{settings.PROCUREMENT_VAT_RATE * 100:.0f}%"
    stated = (
        f"{what.capitalize()} is worth {money(excluding_vat)} excluding VAT, {money(gross)} including VAT at {rate}"
    )
    if threshold is None:
        return ValueTest(excluding_vat, gross, True, False, light_touch, f"{stated}; no {label} is recorded.")
    against = f"the {label} of {money(threshold.amount)} (from {long_date(threshold.starts_on)})"
    if gross >= threshold.amount:
        return ValueTest(excluding_vat, gross, True, False, light_touch, f"{stated}: at or above {against}.")
    if notifiable is not None and gross >= notifiable.amount:
        return ValueTest(
            excluding_vat,
            gross,
            False,
            True,
            light_touch,
            f"{stated}: below {against}, but at or above {money(notifiable.amount)}, so a notifiable below-threshold "
            "contract (ss.86-88).",
        )
    floor = money(notifiable.amount) if notifiable else "the notifiable amount"
    return ValueTest(excluding_vat, gross, False, False, light_touch, f"{stated}: below {against} and below {floor}.")


def latest_award_notice_day(planned_start: date, earliest: date) -> date:
    """The last publication day of a contract award notice whose standstill still ends before the planned
    start of the contract (never before `earliest`, the day of the decision)."""
    day = planned_start - timedelta(days=1)
    while day > earliest and standstill_last_day(day) >= planned_start:
        day -= timedelta(days=1)
    return max(day, earliest)


def local_day(moment) -> date | None:
    return timezone.localdate(moment) if moment else None


def days_after(day: date | None, days: int) -> date | None:
    """The last day of a period of `days` beginning with `day` (the Act's way of counting)."""
    return day + timedelta(days=days - 1) if day else None


def is_procurement_under_the_act(started_on: date | None) -> bool:
    return started_on is not None and started_on >= ACT_IN_FORCE


def requirement(notice_type: str, subject: str, **fields) -> Requirement:
    return Requirement(notice_type=notice_type, title=f"{NoticeType(notice_type).label}: {subject}", **fields)


def record_date(obj: models.Model, *names: str) -> date | None:
    for name in names:
        value = getattr(obj, name, None)
        if value:
            return value if isinstance(value, date) and not hasattr(value, "hour") else local_day(value)
    return None
