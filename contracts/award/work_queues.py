"""The award stage's part of each home page (see `commissioning.work_queues`): for the public, the
expressions of interest open to any supplier; for officers, clarification questions to answer,
competitions closing or waiting to be opened and standstill periods ending; for providers, invitations
and answers to clarification questions. Each builder reads with a fixed number of queries (a count and
a capped slice)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from commissioning import work_queues as wq
from commissioning.rules import acting_for_filter
from frameworks.work_queues import evaluation_queue

from . import selectors
from .models import Award, ClarificationQuestion, Competition

CLOSING_SOON_DAYS = 14
STANDSTILL_SOON_DAYS = 10
ANSWERS_RECENT_DAYS = 30


def open_competitions(user, now: datetime) -> wq.Queue:
    competitions = selectors.open_expressions_of_interest(now).prefetch_related(None)
    return wq.Queue.of(
        competitions,
        lambda competition: wq.QueueItem(
            title=competition.title,
            url=reverse("public:opportunities") + "#competitions-open",
            detail=f"{competition.reference}, {competition.buying_authority.name}",
            when=competition.closes_at,
            when_label="Closes at",
        ),
        key="open-competitions",
        heading="Competitions open to any supplier",
        urgency=wq.ACTION,
        see_all_url=reverse("public:opportunities") + "#competitions-open",
        see_all_label="See the open competitions",
        empty="There are no competitions open to any supplier at the moment.",
    )


# Where each role's competition queues lead: the competitions they can see (URL name, link text).
COMPETITION_LISTS = {
    "officer": ("awards:officer_competitions", "See your competitions"),
    "provider": ("awards:provider_competitions", "See all competitions"),
}


def _competitions_queue(role: str, rows, item, **queue) -> wq.Queue:
    """A queue about competitions, linking to the role's list of them. Each queue reads only the columns its
    rows show: not a competition's description and specification (a provider's invitations are made distinct
    over every column read)."""
    url_name, label = COMPETITION_LISTS[role]
    return wq.Queue.of(rows, item, see_all_url=reverse(url_name), see_all_label=label, **queue)


def questions_to_answer(user, now: datetime) -> wq.Queue:
    questions = (
        ClarificationQuestion.objects.filter(
            acting_for_filter(user, "competition__buying_authority"), answered_at__isnull=True
        )
        .exclude(competition__status=Competition.Status.CANCELLED)
        .select_related("competition")
        .only("competition__title", "competition__reference", "competition__clarification_deadline")
        .order_by("competition__clarification_deadline", "asked_at", "pk")
    )
    return _competitions_queue(
        "officer",
        questions,
        lambda q: wq.QueueItem(
            title=f"A question about {q.competition.title}",
            url=reverse("awards:answer_question", args=[q.competition_id, q.pk]),
            detail=q.competition.reference,
            when=q.competition.clarification_deadline,
            when_label="Questions close at",
        ),
        key="questions-to-answer",
        heading="Clarification questions to answer",
        urgency=wq.ACTION,
    )


def competitions_closing(user, now: datetime) -> wq.Queue:
    competitions = (
        Competition.objects.filter(
            acting_for_filter(user, "buying_authority"),
            status=Competition.Status.PUBLISHED,
            closes_at__lte=now + timedelta(days=CLOSING_SOON_DAYS),
        )
        .select_related(None)
        .only("title", "reference", "closes_at")
        .order_by("closes_at", "pk")
    )

    def closing(competition) -> wq.QueueItem:
        closed = competition.closes_at <= now
        return wq.QueueItem(
            title=competition.title,
            url=reverse("awards:officer_competition", args=[competition.pk]),
            detail=competition.reference,
            when=competition.closes_at,
            when_label="Closed at" if closed else "Closes at",
            tag="Waiting to be opened" if closed else "Closing soon",
            tag_colour="yellow" if closed else "blue",
        )

    return _competitions_queue(
        "officer",
        competitions,
        closing,
        key="competitions-closing",
        heading="Competitions closing or waiting to be opened",
        urgency=wq.ACTION,
    )


def standstill_ending(user, now: datetime) -> wq.Queue:
    today = timezone.localdate(now)
    awards = (
        Award.objects.filter(
            acting_for_filter(user, "competition__buying_authority"),
            contract__isnull=True,
            standstill_ends_on__isnull=False,
            standstill_ends_on__lte=today + timedelta(days=STANDSTILL_SOON_DAYS),
        )
        .select_related("competition", "tender__supplier", "lot")
        .only(
            "standstill_ends_on",
            "competition__title",
            "competition__reference",
            "lot__number",
            "tender__supplier__legal_name",
        )
        .order_by("standstill_ends_on", "pk")
    )
    return _competitions_queue(
        "officer",
        awards,
        lambda award: wq.QueueItem(
            title=f"{award.competition.title}, lot {award.lot.number}: {award.tender.supplier.legal_name}",
            url=reverse("awards:officer_competition", args=[award.competition_id]),
            detail=award.competition.reference,
            when=award.standstill_ends_on,
            when_label="Standstill ended on" if award.standstill_ends_on < today else "Standstill ends on",
            tag="Ready to contract" if award.standstill_ends_on < today else "",
            tag_colour="green",
        ),
        key="standstill-ending",
        heading="Standstill periods ending",
        urgency=wq.SOON,
    )


def provider_invitations(user, now: datetime) -> wq.Queue:
    supplier = selectors.supplier_of(user)
    competitions = Competition.objects.none()
    if supplier is not None:
        competitions = (
            Competition.objects.filter(
                invitations__supplier=supplier, status=Competition.Status.PUBLISHED, closes_at__gt=now
            )
            .exclude(tenders__supplier=supplier, tenders__submitted_at__isnull=False)
            .select_related("buying_authority")
            .only("title", "reference", "closes_at", "buying_authority__name")
            .distinct()
            .order_by("closes_at", "pk")
        )
    return _competitions_queue(
        "provider",
        competitions,
        lambda competition: wq.QueueItem(
            title=competition.title,
            url=reverse("awards:provider_competition", args=[competition.pk]),
            detail=f"{competition.reference}, {competition.buying_authority.name}",
            when=competition.closes_at,
            when_label="Closes at",
            tag="Invited",
            tag_colour="blue",
        ),
        key="invitations",
        heading="Invitations to competitions",
        urgency=wq.ACTION,
        empty="You have no open invitations to competitions.",
    )


def provider_answers(user, now: datetime) -> wq.Queue | None:
    if selectors.supplier_of(user) is None:
        return None
    answers = (
        ClarificationQuestion.objects.filter(
            competition__in=selectors.competitions_for_provider(user).filter(closes_at__gt=now).values("pk"),
            answered_at__gte=now - timedelta(days=ANSWERS_RECENT_DAYS),
        )
        .select_related("competition")
        .only("answered_at", "competition__title", "competition__reference")
        .order_by("-answered_at", "-pk")
    )
    return _competitions_queue(
        "provider",
        answers,
        lambda answer: wq.QueueItem(
            title=f"An answer about {answer.competition.title}",
            url=reverse("awards:provider_competition", args=[answer.competition_id]),
            detail=answer.competition.reference,
            when=answer.answered_at,
            when_label="Published at",
        ),
        key="clarification-answers",
        heading="Answers to clarification questions",
        urgency=wq.SOON,
    )


def _evaluator_queue(tasks, **queue) -> wq.Queue:
    return evaluation_queue(
        tasks,
        see_all_url=reverse("awards:evaluator_assignments"),
        see_all_label="See all award evaluations",
        **queue,
    )


def tender_tasks(user, now: datetime) -> wq.Queue:
    return _evaluator_queue(
        selectors.tender_assignments_for_evaluator(user),
        key="tender-tasks",
        heading="Competition responses to evaluate",
        title=lambda task: f"{task.tender.competition.title}, {task.tender.lot}",
        url_name="awards:evaluate_tender",
        detail="Competition response",
    )


def direct_award_tasks(user, now: datetime) -> wq.Queue:
    return _evaluator_queue(
        selectors.direct_award_assignments_for_evaluator(user),
        key="direct-award-tasks",
        heading="Direct awards to evaluate",
        title=lambda task: f"Direct award to {task.direct_award.supplier.legal_name}",
        url_name="awards:evaluate_direct_award",
        detail="Direct award",
    )


def register() -> None:
    wq.register("evaluator", "tender-tasks", tender_tasks)
    wq.register("evaluator", "direct-award-tasks", direct_award_tasks)
    wq.register("public", "open-competitions", open_competitions)
    wq.register("officer", "questions-to-answer", questions_to_answer)
    wq.register("officer", "competitions-closing", competitions_closing)
    wq.register("officer", "standstill-ending", standstill_ending)
    wq.register("provider", "invitations", provider_invitations)
    wq.register("provider", "clarification-answers", provider_answers)
