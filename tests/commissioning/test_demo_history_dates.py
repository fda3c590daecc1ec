"""Issue 18: the demo's history is dated when it happened. The seeds place the award of the Sandwell
mini-competition, the Avon and Somerset and West Yorkshire contracts (2015 to 2018) and the notices
published on Find a Tender in the past: nothing recorded about them (audit events, the rows' own
created and status times, the notices) may carry the day the demo was loaded.

(The earlier fix dated the framework's 2025 applications, decisions and returns: see
test_demo_and_tasks.py.)
"""

from __future__ import annotations

from datetime import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from commissioning.models import AuditEvent
from contracts.award.demo import AWARDED
from contracts.award.models import Award, ClarificationQuestion, Competition, Tender, TenderAssignment
from contracts.models import Contract
from contracts.notices.models import Notice

pytestmark = pytest.mark.django_db

# The contracts of the Avon and Somerset and West Yorkshire Panel reports, NHS England's SARC, and the West
# Midlands call-offs of 2025.
PAST_CONTRACTS = ("ASOPCC-", "WYOPCC-", "NHSE-", "WMOPCC-IDVA-", "WMOPCC-ISVA-")


def events_about(*objects) -> list[AuditEvent]:
    found = []
    for obj in objects:
        found += AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
        )
    return found


def local_day(moment: datetime):
    return timezone.localtime(moment).date()


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo")
    return timezone.localdate()


def test_what_the_seeds_place_in_the_past_is_not_dated_the_day_the_demo_was_loaded(demo):
    today = demo
    dated_today: list[str] = []

    def check(label: str, moment: datetime | None) -> None:
        if moment is not None and local_day(moment) >= today:
            dated_today.append(f"{label}: {timezone.localtime(moment):%Y-%m-%d %H:%M}")

    # The awarded mini-competition: published ten weeks ago, decided and contracted since.
    competition = Competition.objects.get(reference=AWARDED)
    tenders = list(Tender.objects.filter(competition=competition))
    awards = list(Award.objects.filter(competition=competition))
    award_contracts = [award.contract for award in awards if award.contract_id]
    assert tenders and awards and award_contracts
    for event in events_about(competition, *tenders, *awards, *award_contracts):
        check(f"audit event {event.action} on {event.object_repr}", event.occurred_at)
    check(f"{competition.reference} created", competition.created_at)
    check(f"{competition.reference} published", competition.published_at)
    for question in ClarificationQuestion.objects.filter(competition=competition):
        check("clarification asked", question.asked_at)
        check("clarification answered", question.answered_at)
    for tender in tenders:
        check(f"tender {tender.pk} started", tender.created_at)
    for assignment in TenderAssignment.objects.filter(tender__competition=competition):
        check("tender evaluator assigned", assignment.assigned_at)
        check("tender evaluator declared", assignment.declared_at)
        check("tender evaluator submitted", assignment.submitted_at)
    for award in awards:
        check("award decided", award.decided_at)
    for contract in award_contracts:
        check(f"{contract.reference} created", contract.created_at)

    # The framework's awards (1 July 2025 and 2026).
    for event in AuditEvent.objects.filter(action="framework.awarded"):
        check(f"audit event {event.action} on {event.object_repr}", event.occurred_at)

    # The contracts of 2015 to 2018, and of 2025.
    past = [c for c in Contract.objects.all() if c.reference.startswith(PAST_CONTRACTS)]
    assert len(past) > 10
    for contract in past:
        check(f"{contract.reference} created", contract.created_at)
        check(f"{contract.reference} went live", contract.activated_at)
    for event in events_about(*past):
        check(f"audit event {event.action} on {event.object_repr}", event.occurred_at)

    # Notices published on Find a Tender in the past, and the notices of the awarded competition.
    published = list(Notice.objects.filter(published_on__lt=today))
    assert published
    for notice in published:
        for event in events_about(notice):
            if event.action == "notice.published":
                check(f"notice {notice.key} published (on {notice.published_on})", event.occurred_at)
    for notice in Notice.objects.filter(key__startswith=f"award:{awards[0].pk}:"):
        check(f"notice {notice.key} created", notice.created_at)
        for event in events_about(notice):
            check(f"audit event {event.action} on notice {notice.key}", event.occurred_at)

    assert not dated_today, f"{len(dated_today)} records dated today:\n" + "\n".join(sorted(dated_today))
