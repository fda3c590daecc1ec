"""Clarification questions: a bidder asks, an officer answers, and the answer is published to every bidder
without the asker's name."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from commissioning.audit import record
from commissioning.clock import recorded_now
from commissioning.models import User
from commissioning.templatetags.portal import deadline
from contracts.award import selectors
from contracts.award.lifecycles import COMPETITION
from contracts.award.models import (
    ClarificationQuestion,
    Competition,
)

from .common import AwardRuleError, field_error, notify, now_or, require_officer, supplier_of

# --- Clarification questions --------------------------------------------------------------------------


@transaction.atomic
def ask_question(
    *, competition: Competition, question: str, by: User, now: datetime | None = None
) -> ClarificationQuestion:
    now = now_or(now)
    supplier = supplier_of(by)
    competition = Competition.objects.get(pk=competition.pk)
    if not selectors.may_bid(competition, supplier):
        raise PermissionDenied("Your organisation is not invited to this competition.")
    COMPETITION.next_status("take_questions", competition.status)
    if not competition.questions_open(now):
        raise field_error("question", f"The deadline for questions was {deadline(competition.clarification_deadline)}")
    if not question.strip():
        raise field_error("question", "Enter your question")
    asked = ClarificationQuestion.objects.create(
        competition=competition, supplier=supplier, asked_by=by, asked_at=now, question=question.strip()
    )
    record("competition.question_asked", by=by, obj=competition, data={"question": asked.pk})
    notify(
        to=[competition.owner.email],
        subject=f"A clarification question on {competition.reference}",
        message=f"A bidder has asked a clarification question about {competition.title}. Answer it on the portal; "
        "the answer is published to every bidder without the asker's name.",
        url=reverse("awards:answer_question", args=[competition.pk, asked.pk]),
    )
    return asked


@transaction.atomic
def answer_question(
    *, question: ClarificationQuestion, answer: str, published_question: str = "", by: User, notify: bool = True
) -> ClarificationQuestion:
    """Publish the answer, and the question as worded for publication, to every bidder, anonymously.
    Bidders are emailed by the reminder sweep (once each), which `notify` runs straight away."""
    question = ClarificationQuestion.objects.select_for_update().select_related("competition").get(pk=question.pk)
    competition = question.competition
    require_officer(competition, by)
    COMPETITION.next_status("take_questions", competition.status)
    if question.is_published:
        raise AwardRuleError("This question has already been answered and published.")
    if not answer.strip():
        raise field_error("answer", "Enter the answer")
    question.published_question = (published_question or question.question).strip()
    question.answer = answer.strip()
    question.answered_by = by
    question.answered_at = recorded_now()
    question.save()
    record(
        "competition.answer_published",
        by=by,
        obj=competition,
        data={"question": question.pk, "published_question": question.published_question, "answer": question.answer},
    )
    if notify:
        from contracts.award.reminders import queue_sweep_now

        transaction.on_commit(queue_sweep_now)
    return question
