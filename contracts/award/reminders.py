"""Award-stage emails sent through the portal's reminder sweep (`commissioning.notifications`), so each
goes once per person and occasion however often the sweep runs.

- "competition-closing": suppliers with a response still in draft (or withdrawn and not resubmitted)
  are reminded 7 and 1 days before the closing time. Officers change the offsets in the admin.
- "competition-answers": each clarification answer, once published, goes to every bidder (invited
  suppliers, those who started a response, those who asked), without the asker's name. Publishing an
  answer queues the sweep at once, so bidders hear within moments rather than the next morning.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from commissioning.notifications import Due, register_source, rule_for, when_phrase
from commissioning.reminder_sources import drafts_due_before_closing, provider_users_by_supplier, remind_each
from commissioning.templatetags.portal import deadline

from .models import ClarificationQuestion, Competition, Tender
from .sealing import sealed_for

logger = logging.getLogger(__name__)

CLOSING = "competition-closing"
ANSWERS = "competition-answers"
# Answers published this long ago or more are not emailed again to bidders who arrive later.
ANSWER_LOOKBACK_DAYS = 14


def closing_reminders(today: date) -> Iterator[Due]:
    rule = rule_for(CLOSING)
    now = timezone.now()
    horizon_end = rule.closes_before(today)
    drafts = list(
        Tender.objects.filter(
            status__in=Tender.EDITABLE,
            competition__status=Competition.Status.PUBLISHED,
            competition__closes_at__gt=now,
            competition__closes_at__lt=horizon_end,
        )
        .select_related("competition", "lot")
        .order_by("pk")
    )
    users = provider_users_by_supplier(t.supplier_id for t in drafts)
    for tender, due, occasion in drafts_due_before_closing(drafts, lambda t: t.competition.closes_at, rule, today):
        competition = tender.competition
        yield from remind_each(
            users.get(tender.supplier_id, []),
            obligation=tender,
            occasion=occasion,
            subject=f"{competition.title} closes {when_phrase(due, today)}: your response is not submitted",
            url=reverse("awards:edit_tender", args=[tender.pk]),
            message=f"Your response to {tender.lot} of {competition.reference}, {competition.title}, is saved but "
            f"has not been submitted. The closing time is {deadline(competition.closes_at)}; responses "
            "cannot be accepted at or after it.",
            details=[("Closing time", deadline(competition.closes_at)), ("Lot", str(tender.lot))],
            action="Finish and submit your response",
            sealed_for=sealed_for(competition),
        )


def answer_notices(today: date) -> Iterator[Due]:
    since = timezone.now() - timedelta(days=ANSWER_LOOKBACK_DAYS)
    questions = list(
        ClarificationQuestion.objects.filter(
            answered_at__gte=since,
            competition__status=Competition.Status.PUBLISHED,
            competition__closes_at__gt=timezone.now(),
        )
        .select_related("competition")
        .order_by("pk")
    )
    if not questions:
        return
    from .selectors import bidder_supplier_ids

    bidders = {c.pk: bidder_supplier_ids(c) for c in {q.competition for q in questions}}
    users = provider_users_by_supplier(set().union(*bidders.values()))
    for question in questions:
        competition = question.competition
        for supplier_id in sorted(bidders[competition.pk]):
            yield from remind_each(
                users.get(supplier_id, []),
                obligation=question,
                occasion="published",
                subject=f"Clarification published: {competition.title}",
                url=reverse("awards:provider_competition", args=[competition.pk]) + "#clarifications",
                message=f"A clarification has been published to every bidder in {competition.reference}, "
                f"{competition.title}.\n\nQuestion: {question.published_question}\n\nAnswer: {question.answer}",
                details=[("Closing time", deadline(competition.closes_at))],
                action="Read all clarifications",
                sealed_for=sealed_for(competition),
            )


register_source(
    CLOSING,
    closing_reminders,
    label="Competitions closing with a response not submitted",
    offsets="7,1",
    remind_when_overdue=False,
)
register_source(
    ANSWERS,
    answer_notices,
    label="Clarification answers published to bidders",
    offsets="",
    remind_when_overdue=False,
)


# Background tasks ------------------------------------------------------------------------------------


def queue_sweep_now() -> None:
    """Run the reminder sweep now, so a published answer reaches bidders within moments."""
    from commissioning.tasks import send_reminders

    try:
        send_reminders.delay()
    except (BrokerError, OSError):
        logger.exception("Could not queue the reminder sweep; the daily sweep will send the answers")
