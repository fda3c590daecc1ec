"""Each move of an application's lifecycle, made through its service from every status: where the table
allows it the lifecycle lets it through (another rule may still refuse, never with IllegalMove); where it
does not, the service refuses with IllegalMove and the status stays as it was."""

from __future__ import annotations

import pytest

from commissioning.lifecycle import IllegalMove
from commissioning.models import User
from frameworks import evaluation, services
from frameworks.lifecycle import APPLICATION
from frameworks.models import Application
from tests.checks import check_move
from tests.factories import make_user
from tests.frameworks.conftest import complete_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_evaluation(selection):
    """A submitted application with a clarification to answer and two evaluators, the first declared."""
    application = complete_application(selection)
    services.submit_application(application=application, by=selection.provider)
    clarification = services.request_clarification(
        application=application, question="Which areas does the helpline cover?", by=selection.officer
    )
    evaluation.assign_evaluators(target=application, evaluators=selection.evaluators, by=selection.officer)
    assignment = application.assignments.get(evaluator=selection.evaluators[0])
    evaluation.declare_conflict(assignment=assignment, has_conflict=False, details="", by=selection.evaluators[0])
    return application, clarification, assignment


MOVES = [
    "edit",
    "submit",
    "withdraw",
    "request_clarification",
    "answer_clarification",
    "assign_evaluators",
    "score",
    "moderate",
    "decide_lot",
]


@pytest.mark.parametrize("move", MOVES)
def test_every_application_move_through_its_service(selection, in_evaluation, move):
    application, clarification, assignment = in_evaluation
    spares = [make_user(User.Role.EVALUATOR, authority=selection.officer.authority) for _ in range(2)]
    calls = {
        "edit": lambda: services.save_consent(
            application=application, share_with_partners=True, publish=True, by=selection.provider
        ),
        "submit": lambda: services.submit_application(application=application, by=selection.provider),
        "withdraw": lambda: services.withdraw_application(application=application, by=selection.provider),
        "request_clarification": lambda: services.request_clarification(
            application=application, question="And the refuge?", by=selection.officer
        ),
        "answer_clarification": lambda: services.respond_to_clarification(
            clarification=clarification, response="All seven areas.", by=selection.provider
        ),
        "assign_evaluators": lambda: evaluation.assign_evaluators(
            target=application, evaluators=spares, by=selection.officer
        ),
        "score": lambda: evaluation.save_scores(
            assignment=assignment, scores={selection.delivery.pk: {"score": 3}}, submit=False, by=assignment.evaluator
        ),
        "moderate": lambda: evaluation.moderate(
            subject=application, criterion=selection.delivery, score=3, reason="Agreed.", by=selection.officer
        ),
        "decide_lot": lambda: services.decide_lot(
            choice=application.lot_choices.get(lot=selection.lot2),
            outcome="unsuccessful",
            reason="Below the minimum score.",
            by=selection.officer,
        ),
    }
    # A second submission of a submitted application is a repeated click: it is answered with the application
    # as it is (test_selection_services checks that nothing changes), so it is not tried here.
    skip = [Application.Status.SUBMITTED] if move == "submit" else []
    check_move(APPLICATION, move, application, calls[move], skip=skip)


def test_an_answer_after_the_application_is_withdrawn_is_refused_and_changes_nothing(selection, in_evaluation):
    application, clarification, _ = in_evaluation
    services.withdraw_application(application=application, by=selection.provider)
    with pytest.raises(IllegalMove, match="An application that is withdrawn cannot have a clarification answered"):
        services.respond_to_clarification(clarification=clarification, response="Late", by=selection.provider)
    application.refresh_from_db()
    clarification.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN and clarification.responded_at is None


def test_an_answer_once_the_evaluation_ended_is_kept_and_leaves_it_evaluated(selection, in_evaluation):
    application, clarification, _ = in_evaluation
    Application.objects.filter(pk=application.pk).update(status=Application.Status.EVALUATED)
    services.respond_to_clarification(clarification=clarification, response="All seven.", by=selection.provider)
    application.refresh_from_db()
    clarification.refresh_from_db()
    assert application.status == Application.Status.EVALUATED and clarification.response == "All seven."
