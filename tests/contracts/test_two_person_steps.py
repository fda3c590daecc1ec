"""Two-person steps take two different, established people (issue 16, finding 2): an officer could make a
second officer account and use it, the same day, to confirm the opening of tenders or approve their own
direct award. An account made or given its role in the last seven days (a setting) without a second
administrator's approval cannot be the second person."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commissioning.models import User
from contracts.award import services
from contracts.award.models import Competition, DirectAward, Justification
from contracts.award.services import AwardRuleError
from tests.factories import make_established, make_user
from tests.factories.awards import close_now, complete_tender, make_award_setup, make_published_mini

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    return make_award_setup()


def opening_requested(setup) -> Competition:
    """A competition past its closing time whose opening the owner has asked for."""
    competition = make_published_mini(setup)
    complete_tender(competition, setup.providers[0])
    close_now(competition)
    services.request_opening(competition=competition, by=setup.officer)
    return competition


def test_a_second_officer_made_today_cannot_confirm_an_opening(setup):
    competition = opening_requested(setup)
    made_today = make_user(User.Role.OFFICER, authority=setup.authority)
    with pytest.raises(AwardRuleError, match="less than 7 days old"):
        services.confirm_opening(competition=competition, by=made_today)
    assert Competition.objects.get(pk=competition.pk).opened_at is None

    made_today.role_since = timezone.now() - timedelta(days=8)  # a week on, they are established
    made_today.save()
    services.confirm_opening(competition=competition, by=made_today)
    assert Competition.objects.get(pk=competition.pk).opened_by == made_today


def test_an_officer_approved_by_a_second_administrator_may_confirm_the_day_they_are_made(setup):
    competition = opening_requested(setup)
    approved_today = make_established(User.Role.OFFICER, authority=setup.authority)
    services.confirm_opening(competition=competition, by=approved_today)
    assert Competition.objects.get(pk=competition.pk).opened_by == approved_today


def test_an_officer_given_the_role_today_cannot_approve_a_direct_award(setup, settings):
    direct_award = services.request_direct_award(
        by=setup.officer,
        reference="DA-TWO-1",
        title="Children's ISVA service",
        supplier=setup.suppliers[0],
        framework_lot=setup.lot,
        areas=setup.areas,
        annual_value=Decimal("40000"),
        contract_start_on=date(2026, 4, 1),
        term_months=24,
        justification=Justification.FRAMEWORK_NO_COMPETITION,
        explanation="The only appointee for these areas.",
        social_value_summary="",
        commitments=[],
    )
    promoted = make_user(User.Role.OFFICER, authority=setup.authority, role_since=timezone.now() - timedelta(days=2))
    with pytest.raises(AwardRuleError, match="less than 7 days old"):
        services.approve_direct_award(direct_award=direct_award, by=promoted)
    settings.ESTABLISHED_AFTER_DAYS = 1  # the period is a setting
    services.approve_direct_award(direct_award=direct_award, by=promoted)
    assert DirectAward.objects.get(pk=direct_award.pk).decided_by == promoted
