"""Moving a published competition's closing time. Extending it is the owner's decision alone; bringing it
forward takes two people (the owner proposes, a second, different, established officer of the buying
authority confirms) and is refused with fewer than CLOSING_TIME_SHORTENING_NOTICE_WORKING_DAYS working
days left before the new time. Every bidder and invited supplier is told by e-mail."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commissioning.audit import record
from commissioning.dates import add_working_days
from commissioning.models import User
from commissioning.templatetags.portal import deadline
from contracts.award import selectors
from contracts.award.lifecycles import COMPETITION
from contracts.award.models import Competition

from .common import (
    AwardRuleError,
    emails_of_suppliers,
    field_error,
    lock_for_officer,
    notify,
    now_or,
    officer_emails,
    require_established,
)


def earliest_shortened_closing(now: datetime) -> datetime:
    """The earliest a closing time may be brought forward to: the start of the day that leaves the
    notice period in working days (UK time)."""
    day = add_working_days(timezone.localdate(now), settings.CLOSING_TIME_SHORTENING_NOTICE_WORKING_DAYS)
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def _check_move(competition: Competition, closes_at: datetime, now: datetime) -> None:
    COMPETITION.next_status("move_closing_time", competition.status)
    if competition.has_closed(now):
        raise AwardRuleError(
            f"The closing time, {deadline(competition.closes_at)}, has passed: it can no longer be moved."
        )
    if closes_at <= now:
        raise field_error("closes_date", "The new closing time must be in the future")
    if closes_at == competition.closes_at:
        raise field_error("closes_date", "The new closing time is the same as the current one")
    if closes_at < competition.clarification_deadline:
        raise field_error(
            "closes_date",
            "The new closing time must be after the deadline for questions, "
            f"{deadline(competition.clarification_deadline)}",
        )


def _check_notice(closes_at: datetime, now: datetime) -> None:
    days = settings.CLOSING_TIME_SHORTENING_NOTICE_WORKING_DAYS
    if closes_at < earliest_shortened_closing(now):
        raise field_error(
            "closes_date",
            f"Bidders must have at least {days} working days' notice of an earlier closing time: the earliest "
            f"it can be brought forward to is {deadline(earliest_shortened_closing(now))}",
        )


def _apply(competition: Competition, closes_at: datetime, reason: str, by: User, data: dict) -> Competition:
    before = competition.closes_at
    competition.closes_at = closes_at
    competition.proposed_closes_at = None
    competition.closing_change_reason = ""
    competition.closing_change_proposed_at = None
    competition.closing_change_proposed_by = None
    competition.save()
    record(
        "competition.closing_time_moved",
        by=by,
        obj=competition,
        data={"from": before, "to": closes_at, "reason": reason, **data},
    )
    notify(
        to=emails_of_suppliers(selectors.bidder_supplier_ids(competition)),
        subject=f"Closing time changed: {competition.title}",
        message=(
            f"The closing time of {competition.reference}, {competition.title}, has moved from {deadline(before)} "
            f"to {deadline(closes_at)}. {reason}".strip()
        ),
        details=[("New closing time", deadline(closes_at))],
        url=reverse("awards:provider_competition", args=[competition.pk]),
    )
    return competition


@transaction.atomic
def move_closing_time(
    *, competition: Competition, closes_at: datetime, by: User, reason: str = "", now: datetime | None = None
) -> Competition:
    """Only the owner, only while it has not passed. A later time takes effect at once; an earlier one is
    only proposed (see `confirm_closing_time`), and only with the notice period left."""
    now = now_or(now)
    competition = lock_for_officer(competition, by)
    if competition.owner_id != by.pk:
        raise AwardRuleError(
            f"Only the owner of this competition, {competition.owner.full_name}, can move its closing time."
        )
    _check_move(competition, closes_at, now)
    if closes_at > competition.closes_at:
        return _apply(competition, closes_at, reason, by, {"proposal_dropped": competition.proposed_closes_at})
    _check_notice(closes_at, now)
    if not reason.strip():
        raise field_error("reason", "Say why the closing time is brought forward: bidders are told")
    competition.proposed_closes_at = closes_at
    competition.closing_change_reason = reason.strip()
    competition.closing_change_proposed_at = now
    competition.closing_change_proposed_by = by
    competition.save()
    record(
        "competition.closing_time_shortening_proposed",
        by=by,
        obj=competition,
        data={"from": competition.closes_at, "to": closes_at, "reason": reason.strip()},
    )
    notify(
        to=officer_emails(competition.buying_authority_id, exclude=by),
        subject=f"Confirm an earlier closing time for {competition.reference}",
        message=(
            f"{by.full_name} proposes to bring the closing time of {competition.title} forward from "
            f"{deadline(competition.closes_at)} to {deadline(closes_at)}. A second officer must confirm it."
        ),
        url=reverse("awards:confirm_closing_time", args=[competition.pk]),
    )
    return competition


@transaction.atomic
def confirm_closing_time(*, competition: Competition, by: User, now: datetime | None = None) -> Competition:
    """The second officer brings the closing time forward as proposed. Not the proposer, an established
    officer, and only while the notice period is still left."""
    now = now_or(now)
    competition = lock_for_officer(competition, by)
    if competition.proposed_closes_at is None:
        raise AwardRuleError("No earlier closing time has been proposed for this competition.")
    if competition.closing_change_proposed_by_id == by.pk:
        raise AwardRuleError("You proposed this earlier closing time: a second, different officer must confirm it.")
    require_established(by, "confirm an earlier closing time")
    closes_at = competition.proposed_closes_at
    _check_move(competition, closes_at, now)
    _check_notice(closes_at, now)
    return _apply(
        competition,
        closes_at,
        competition.closing_change_reason,
        by,
        {"proposed_by": competition.closing_change_proposed_by.email, "confirmed_by": by.email},
    )


@transaction.atomic
def withdraw_closing_time_proposal(*, competition: Competition, by: User) -> Competition:
    """The owner or any officer of the buying authority drops a proposal nobody has confirmed."""
    competition = lock_for_officer(competition, by)
    if competition.proposed_closes_at is None:
        raise AwardRuleError("No earlier closing time has been proposed for this competition.")
    proposed = competition.proposed_closes_at
    competition.proposed_closes_at = None
    competition.closing_change_reason = ""
    competition.closing_change_proposed_at = None
    competition.closing_change_proposed_by = None
    competition.save()
    record("competition.closing_time_shortening_withdrawn", by=by, obj=competition, data={"proposed": proposed})
    return competition
