"""The two-officer opening: one officer asks to open the responses after the closing time and a different
officer confirms."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.urls import reverse

from commissioning.audit import record
from commissioning.email import unseal
from commissioning.models import User
from commissioning.templatetags.portal import deadline
from contracts.award import sealing, selectors
from contracts.award.lifecycles import TENDER
from contracts.award.models import (
    Competition,
    Tender,
)
from contracts.award.sealing import sealed_for

from .common import (
    AwardRuleError,
    TenderStatus,
    lock_for_officer,
    move,
    notify,
    now_or,
    officer_emails,
    require_established,
)
from .evaluation import refresh_evaluation

# --- Opening, by two officers -------------------------------------------------------------------------


@transaction.atomic
def request_opening(*, competition: Competition, by: User, now: datetime | None = None) -> Competition:
    """The first officer asks to open the responses; a second, different officer must confirm."""
    now = now_or(now)
    competition = lock_for_officer(competition, by, "open")
    if not competition.has_closed(now):
        raise AwardRuleError(f"The responses are sealed until the closing time, {deadline(competition.closes_at)}.")
    if competition.opening_requested_at is not None:
        raise AwardRuleError("Opening has already been requested: a second officer must confirm it.")
    competition.opening_requested_at = now
    competition.opening_requested_by = by
    competition.save()
    record(
        "competition.opening_requested",
        by=by,
        obj=competition,
        data={"received": selectors.received_count(competition)},
    )
    notify(
        to=officer_emails(competition.buying_authority_id, exclude=by),
        subject=f"Confirm the opening of {competition.reference}",
        message=f"{by.full_name} has asked to open the responses to {competition.title}. A second officer must "
        "confirm before anyone can see them.",
        url=reverse("awards:open_responses", args=[competition.pk]),
    )
    return competition


@transaction.atomic
def confirm_opening(*, competition: Competition, by: User, now: datetime | None = None) -> Competition:
    """The second officer confirms: the responses are unsealed. The same officer cannot do both."""
    now = now_or(now)
    competition = lock_for_officer(competition, by, "open")
    if competition.opening_requested_at is None:
        raise AwardRuleError("Ask to open the responses first; a second officer then confirms.")
    if competition.opening_requested_by_id == by.pk:
        raise AwardRuleError("You asked to open these responses: a second, different officer must confirm the opening.")
    require_established(by, "confirm the opening")
    if not competition.has_closed(now):
        raise AwardRuleError(f"The responses are sealed until the closing time, {deadline(competition.closes_at)}.")
    opened = Tender.objects.filter(competition=competition, status=TenderStatus.SUBMITTED)
    counts = {str(n): c for n, c in selectors.received_by_lot(competition).items()}
    opened.update(status=TENDER.next_status("open", TenderStatus.SUBMITTED))
    competition.opened_at = now
    competition.opened_by = by
    move(
        competition,
        "open",
        by=by,
        data={"requested_by": competition.opening_requested_by.email, "confirmed_by": by.email, "opened": counts},
    )
    refresh_evaluation(competition, by=by)
    unseal(sealed_for(competition), now=now)  # bidders' receipts and reminders join the e-mail log
    sealing.opened_now(competition.pk)  # this request may read the responses from here on
    return competition
