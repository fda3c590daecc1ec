"""An expression of interest always asks bidders for a budget template (seed 002). The rule lives in the
services, so editing a draft cannot turn it off (before, only the page that creates one set it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.award import services
from contracts.award.models import Competition
from tests.factories.awards import make_award_setup, make_competition, make_seed_002_eoi

pytestmark = pytest.mark.django_db

MESSAGE = "An expression of interest always asks bidders for a completed budget template"


@pytest.fixture
def setup():
    return make_award_setup()


def test_an_expression_of_interest_is_created_asking_for_the_budget_template(setup):
    eoi = make_competition(by=setup.officer, kind=Competition.Kind.EXPRESSION_OF_INTEREST)
    assert eoi.requires_budget_template
    with pytest.raises(services.AwardRuleError) as error:
        make_competition(by=setup.officer, kind=Competition.Kind.EXPRESSION_OF_INTEREST, requires_budget_template=False)
    assert error.value.message_dict["requires_budget_template"] == [MESSAGE]


def test_editing_an_expression_of_interest_cannot_turn_the_budget_template_off(setup):
    eoi = make_seed_002_eoi(by=setup.officer, publish=False)
    with pytest.raises(services.AwardRuleError) as error:
        services.update_competition(competition=eoi, by=setup.officer, requires_budget_template=False)
    assert error.value.message_dict["requires_budget_template"] == [MESSAGE]
    eoi.refresh_from_db()
    assert eoi.requires_budget_template


def test_a_mini_competition_may_ask_for_one_or_not(setup):
    mini = make_competition(by=setup.officer, framework_lot=setup.lot, areas=setup.areas)
    assert not mini.requires_budget_template
    services.update_competition(competition=mini, by=setup.officer, requires_budget_template=True)
    services.update_competition(competition=mini, by=setup.officer, requires_budget_template=False)
    mini.refresh_from_db()
    assert not mini.requires_budget_template


def test_the_edit_page_says_why_next_to_the_box_and_keeps_what_was_typed(client, setup):
    eoi = make_seed_002_eoi(by=setup.officer, publish=False)
    client.force_login(setup.officer)
    clarification = timezone.localtime(eoi.clarification_deadline)
    closes = timezone.localtime(eoi.closes_at)
    start = eoi.contract_start_on
    data = {
        "title": "Renamed fund",
        "description": eoi.description,
        "estimated_value": "2000000",
        "contract_start_on_0": start.day,
        "contract_start_on_1": start.month,
        "contract_start_on_2": start.year,
        "term_months": eoi.term_months,
        "is_light_touch": "on",
        "clarification_date_0": clarification.day,
        "clarification_date_1": clarification.month,
        "clarification_date_2": clarification.year,
        "clarification_time": clarification.strftime("%H:%M"),
        "closes_date_0": closes.day,
        "closes_date_1": closes.month,
        "closes_date_2": closes.year,
        "closes_time": closes.strftime("%H:%M"),
    }  # the box "Bidders must upload a completed budget template" left unticked
    response = client.post(reverse("awards:edit_competition", args=[eoi.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert MESSAGE in html and "govuk-error-summary" in html
    assert 'value="Renamed fund"' in html
    eoi.refresh_from_db()
    assert eoi.requires_budget_template and eoi.title != "Renamed fund"


def test_the_create_page_asks_for_it_for_an_expression_of_interest_without_a_tick(client, setup):
    client.force_login(setup.officer)
    day = timezone.localdate() + timedelta(days=21)
    questions = timezone.localdate() + timedelta(days=14)
    response = client.post(
        reverse("awards:create_competition"),
        {
            "kind": "expression_of_interest",
            "reference": "EOI-PAGE",
            "title": "Made on the page",
            "estimated_value": "£150,000",
            "contract_start_on_0": "1",
            "contract_start_on_1": "4",
            "contract_start_on_2": str(day.year + 1),
            "term_months": "24",
            "clarification_date_0": str(questions.day),
            "clarification_date_1": str(questions.month),
            "clarification_date_2": str(questions.year),
            "clarification_time": "12:00",
            "closes_date_0": str(day.day),
            "closes_date_1": str(day.month),
            "closes_date_2": str(day.year),
            "closes_time": "5pm",
        },
    )
    assert response.status_code == 302
    assert Competition.objects.get(reference="EOI-PAGE").requires_budget_template
