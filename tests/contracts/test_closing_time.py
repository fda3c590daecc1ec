"""Bringing a closing time forward (issue 16, finding 7): the owner alone could bring it forward to a few
minutes away. Now the owner proposes, a second, different, established officer of the buying authority
confirms, at least five working days' notice (a setting) must be left, and bidders are told by e-mail.
Extending stays the owner's decision alone. Both steps are in the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from commissioning.models import AuditEvent, User
from contracts.award import services
from contracts.award.models import Competition
from contracts.award.services import AwardRuleError
from tests.factories import make_user
from tests.factories.awards import complete_tender, make_award_setup, make_published_mini

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    setup = make_award_setup()
    competition = make_published_mini(setup, clarification_deadline=timezone.now() + timedelta(hours=2))
    complete_tender(competition, setup.providers[0], submit=False)
    return {"setup": setup, "competition": competition, "earlier": competition.closes_at - timedelta(days=2)}


def _messages(error) -> str:
    return " ".join(error.value.messages)


def test_the_owner_only_proposes_an_earlier_closing_time(world, django_capture_on_commit_callbacks):
    setup, competition = world["setup"], world["competition"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.move_closing_time(
            competition=competition,
            closes_at=world["earlier"],
            reason="The service must start sooner",
            by=setup.officer,
        )
    stored = Competition.objects.get(pk=competition.pk)
    assert stored.closes_at == competition.closes_at  # not moved yet
    assert stored.proposed_closes_at == world["earlier"]
    assert stored.closing_change_proposed_by == setup.officer
    assert AuditEvent.objects.filter(action="competition.closing_time_shortening_proposed").count() == 1
    assert {m.to[0] for m in mail.outbox} == {setup.officer2.email}  # the other officers, not bidders yet


def test_the_proposer_cannot_confirm_their_own_earlier_closing_time(world):
    setup, competition = world["setup"], world["competition"]
    services.move_closing_time(competition=competition, closes_at=world["earlier"], reason="Sooner", by=setup.officer)
    with pytest.raises(AwardRuleError) as error:
        services.confirm_closing_time(competition=competition, by=setup.officer)
    assert "a second, different officer must confirm" in _messages(error)
    assert Competition.objects.get(pk=competition.pk).closes_at == competition.closes_at


def test_an_officer_made_today_cannot_be_the_second_officer(world):
    setup, competition = world["setup"], world["competition"]
    services.move_closing_time(competition=competition, closes_at=world["earlier"], reason="Sooner", by=setup.officer)
    made_today = make_user(User.Role.OFFICER, authority=setup.authority)
    with pytest.raises(AwardRuleError) as error:
        services.confirm_closing_time(competition=competition, by=made_today)
    assert "less than 7 days old" in _messages(error)


def test_an_officer_of_another_authority_cannot_confirm(world):
    from django.core.exceptions import PermissionDenied

    setup, competition = world["setup"], world["competition"]
    services.move_closing_time(competition=competition, closes_at=world["earlier"], reason="Sooner", by=setup.officer)
    with pytest.raises(PermissionDenied):
        services.confirm_closing_time(competition=competition, by=make_user(User.Role.OFFICER))


def test_a_second_established_officer_confirms_and_bidders_are_told(world, django_capture_on_commit_callbacks):
    setup, competition = world["setup"], world["competition"]
    services.move_closing_time(competition=competition, closes_at=world["earlier"], reason="Sooner", by=setup.officer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_closing_time(competition=competition, by=setup.officer2)
    stored = Competition.objects.get(pk=competition.pk)
    assert stored.closes_at == world["earlier"] and stored.proposed_closes_at is None
    event = AuditEvent.objects.get(action="competition.closing_time_moved")
    assert event.actor == setup.officer2
    assert event.data["proposed_by"] == setup.officer.email and event.data["confirmed_by"] == setup.officer2.email
    told = {m.to[0] for m in mail.outbox}
    assert {p.email for p in setup.providers} <= told  # the bidder and the other invited supplier
    assert all("Closing time changed" in m.subject for m in mail.outbox)


def test_less_than_five_working_days_notice_is_refused(world):
    setup, competition = world["setup"], world["competition"]
    soon = timezone.now() + timedelta(days=3)
    with pytest.raises(AwardRuleError) as error:
        services.move_closing_time(competition=competition, closes_at=soon, reason="Sooner", by=setup.officer)
    assert "at least 5 working days' notice" in _messages(error)
    assert Competition.objects.get(pk=competition.pk).proposed_closes_at is None


def test_the_notice_is_checked_again_when_the_second_officer_confirms(world):
    setup, competition = world["setup"], world["competition"]
    services.move_closing_time(competition=competition, closes_at=world["earlier"], reason="Sooner", by=setup.officer)
    too_late = world["earlier"] - timedelta(days=1)
    with pytest.raises(AwardRuleError) as error:
        services.confirm_closing_time(competition=competition, by=setup.officer2, now=too_late)
    assert "working days' notice" in _messages(error)


def test_the_notice_period_is_a_setting(world, settings):
    setup, competition = world["setup"], world["competition"]
    soon = timezone.now() + timedelta(days=3)
    settings.CLOSING_TIME_SHORTENING_NOTICE_WORKING_DAYS = 0
    services.move_closing_time(competition=competition, closes_at=soon, reason="Sooner", by=setup.officer)
    assert Competition.objects.get(pk=competition.pk).proposed_closes_at == soon


def test_extending_is_still_the_owners_decision_alone(world):
    setup, competition = world["setup"], world["competition"]
    later = competition.closes_at + timedelta(days=7)
    services.move_closing_time(competition=competition, closes_at=later, reason="More time", by=setup.officer)
    assert Competition.objects.get(pk=competition.pk).closes_at == later


def test_the_confirmation_page_for_the_second_officer_and_refused_for_others(client, world):
    setup, competition = world["setup"], world["competition"]
    services.move_closing_time(competition=competition, closes_at=world["earlier"], reason="Sooner", by=setup.officer)
    url = reverse("awards:confirm_closing_time", args=[competition.pk])
    client.force_login(setup.officer)
    page = client.get(url).content.decode()
    assert "Proposed closing time" in page and "Confirm the earlier closing time" not in page
    response = client.post(url, {"action": "confirm"})
    assert response.status_code == 422 and "a second, different officer must confirm" in response.content.decode()
    client.force_login(setup.providers[0])
    assert client.get(url).status_code in (403, 404)
    client.force_login(setup.officer2)
    assert "Confirm the earlier closing time" in client.get(url).content.decode()
    assert client.post(url, {"action": "confirm"}).status_code == 302
    assert Competition.objects.get(pk=competition.pk).closes_at == world["earlier"]


def test_a_proposal_can_be_withdrawn(client, world):
    setup, competition = world["setup"], world["competition"]
    services.move_closing_time(competition=competition, closes_at=world["earlier"], reason="Sooner", by=setup.officer)
    client.force_login(setup.officer)
    response = client.post(reverse("awards:confirm_closing_time", args=[competition.pk]), {"action": "withdraw"})
    assert response.status_code == 302
    assert Competition.objects.get(pk=competition.pk).proposed_closes_at is None
    assert AuditEvent.objects.filter(action="competition.closing_time_shortening_withdrawn").exists()
