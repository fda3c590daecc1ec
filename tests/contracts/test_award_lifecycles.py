"""Each move of the award stage's lifecycles, made through its service from every status: where the table
allows it the lifecycle lets it through (another rule may still refuse, never with IllegalMove); where it
does not, the service refuses with IllegalMove and the status stays as it was."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts.award import services
from contracts.award.lifecycles import COMPETITION, DIRECT_AWARD, TENDER
from contracts.award.models import Tender
from frameworks import evaluation
from tests.checks import check_move
from tests.factories.awards import (
    complete_tender,
    make_award_setup,
    make_competition,
    make_direct_award,
    make_published_mini,
    open_competition,
)

pytestmark = pytest.mark.django_db


def competition_calls(setup, competition, question):
    later = competition.closes_at + timedelta(minutes=1)
    return {
        "edit": lambda: services.update_competition(competition=competition, by=setup.officer, title="Renamed"),
        "publish": lambda: services.publish_competition(competition=competition, by=setup.officer),
        "take_questions": lambda: services.answer_question(
            question=question, answer="Yes, for two advocates.", by=setup.officer
        ),
        "move_closing_time": lambda: services.move_closing_time(
            competition=competition, closes_at=competition.closes_at + timedelta(days=1), by=setup.officer
        ),
        "open": lambda: services.request_opening(competition=competition, by=setup.officer, now=later),
        "assign_evaluators": lambda: evaluation.assign_evaluators(
            target=competition, evaluators=setup.evaluators, by=setup.officer
        ),
        "decide_lot": lambda: services.decide_no_award(
            lot=competition.lots.get(), reasons="Over budget.", by=setup.officer
        ),
        "cancel": lambda: services.cancel_competition(competition=competition, reason="Withdrawn.", by=setup.officer),
    }


COMPETITION_MOVES = ["edit", "publish", "take_questions", "move_closing_time", "open", "assign_evaluators"]
COMPETITION_MOVES += ["decide_lot", "cancel"]


@pytest.mark.parametrize("move", COMPETITION_MOVES)
def test_every_competition_move_through_its_service(move):
    setup = make_award_setup()
    if move == "publish":  # publishing invites the appointees: from a competition never published
        competition = make_competition(by=setup.officer, framework_lot=setup.lot, areas=setup.areas)
        question = None
    else:
        competition = make_published_mini(setup)
        complete_tender(competition, setup.providers[0])
        question = services.ask_question(competition=competition, question="Is TUPE expected?", by=setup.providers[0])
    check_move(COMPETITION, move, competition, competition_calls(setup, competition, question)[move])


@pytest.fixture
def opened():
    """An opened response whose two evaluators are assigned, the first having declared no conflict."""
    setup = make_award_setup()
    competition = make_published_mini(setup)
    tender = complete_tender(competition, setup.providers[0])
    open_competition(competition, setup.officer, setup.officer2)
    evaluation.assign_evaluators(target=competition, evaluators=setup.evaluators, by=setup.officer)
    assignment = tender.assignments.get(evaluator=setup.evaluators[0])
    evaluation.declare_conflict(assignment=assignment, has_conflict=False, details="", by=setup.evaluators[0])
    return setup, competition, Tender.objects.get(pk=tender.pk), assignment


@pytest.mark.parametrize("move", ["edit", "submit", "withdraw", "score", "moderate"])
def test_every_response_move_through_its_service(opened, move):
    setup, competition, tender, assignment = opened
    provider = setup.providers[0]
    criterion = competition.criteria.filter(kind="quality").first()
    calls = {
        "edit": lambda: services.save_tender(tender=tender, by=provider, annual_price=Decimal("40000")),
        "submit": lambda: services.submit_tender(tender=tender, by=provider),
        "withdraw": lambda: services.withdraw_tender(tender=tender, by=provider),
        "score": lambda: evaluation.save_scores(
            assignment=assignment, scores={criterion.pk: {"score": 2}}, submit=False, by=setup.evaluators[0]
        ),
        "moderate": lambda: evaluation.moderate(
            subject=tender, criterion=criterion, score=3, reason="Agreed.", by=setup.officer
        ),
    }
    # A second submission of a submitted response is a repeated click: it is answered with the response as
    # it is (test_award_services checks that nothing changes), so it is not tried here.
    check_move(TENDER, move, tender, calls[move], skip=[Tender.Status.SUBMITTED] if move == "submit" else [])


@pytest.mark.parametrize("move", ["assign", "score", "moderate", "approve", "reject"])
def test_every_direct_award_move_through_its_service(move):
    setup = make_award_setup()
    direct_award = make_direct_award(setup, annual_value=Decimal("60000"))
    evaluation.assign_evaluators(target=direct_award, evaluators=setup.evaluators, by=setup.officer)
    assignment = direct_award.assignments.get(evaluator=setup.evaluators[0])
    evaluation.declare_conflict(assignment=assignment, has_conflict=False, details="", by=setup.evaluators[0])
    criterion = direct_award.criteria.get()
    spare = setup.officer2
    calls = {
        "assign": lambda: evaluation.assign_evaluators(target=direct_award, evaluators=[spare], by=setup.officer),
        "score": lambda: evaluation.save_scores(
            assignment=assignment, scores={criterion.pk: {"score": 3}}, submit=False, by=setup.evaluators[0]
        ),
        "moderate": lambda: evaluation.moderate(
            subject=direct_award, criterion=criterion, score=3, reason="Agreed.", by=setup.officer
        ),
        "approve": lambda: services.approve_direct_award(direct_award=direct_award, by=setup.officer2),
        "reject": lambda: services.reject_direct_award(direct_award=direct_award, reason="No.", by=setup.officer2),
    }
    table_move = move if move in ("approve", "reject") else "evaluate"
    check_move(DIRECT_AWARD, table_move, direct_award, calls[move])


def test_a_response_opened_late_in_the_day_is_not_reopened():
    """Opening moves only submitted responses: drafts and withdrawn ones stay as they are."""
    setup = make_award_setup(bidders=3)
    competition = make_published_mini(setup)
    submitted = complete_tender(competition, setup.providers[0])
    draft = complete_tender(competition, setup.providers[1], submit=False)
    withdrawn = complete_tender(competition, setup.providers[2])
    services.withdraw_tender(tender=withdrawn, by=setup.providers[2], now=timezone.now())
    open_competition(competition, setup.officer, setup.officer2)
    statuses = dict(Tender.objects.filter(competition=competition).values_list("pk", "status"))
    assert statuses == {
        submitted.pk: Tender.Status.OPENED,
        draft.pk: Tender.Status.DRAFT,
        withdrawn.pk: Tender.Status.WITHDRAWN,
    }
