"""URL routes of the award stage (included at the site root), namespace "awards"."""

from django.urls import path

from frameworks.evaluation import views as evaluation

from .views import evaluator, officer, officer_awards, provider

app_name = "awards"

urlpatterns = [
    # Officers: competitions
    path("officer/competitions/", officer.officer_competitions, name="officer_competitions"),
    path("officer/competitions/new/", officer.create_competition, name="create_competition"),
    path("officer/competitions/<int:pk>/", officer.officer_competition, name="officer_competition"),
    path("officer/competitions/<int:pk>/edit/", officer.edit_competition, name="edit_competition"),
    path("officer/competitions/<int:pk>/criteria/", officer.edit_criteria, name="edit_criteria"),
    path("officer/competitions/<int:pk>/lots/", officer.edit_lots, name="edit_lots"),
    path("officer/competitions/<int:pk>/publish/", officer.publish_competition, name="publish_competition"),
    path("officer/competitions/<int:pk>/cancel/", officer.cancel_competition, name="cancel_competition"),
    path("officer/competitions/<int:pk>/closing-time/", officer.move_closing_time, name="move_closing_time"),
    path("officer/competitions/<int:pk>/questions/<int:question_pk>/", officer.answer_question, name="answer_question"),
    path("officer/competitions/<int:pk>/open/", officer.open_responses, name="open_responses"),
    path(
        "officer/competitions/<int:pk>/closing-time/confirm/",
        officer.confirm_closing_time,
        name="confirm_closing_time",
    ),
    path("officer/competitions/<int:pk>/evaluators/", officer.assign_evaluators, name="assign_evaluators"),
    path("officer/competitions/<int:pk>/lots/<int:lot_pk>/award/", officer_awards.award_lot, name="award_lot"),
    path("officer/competitions/<int:pk>/lots/<int:lot_pk>/no-award/", officer_awards.no_award_lot, name="no_award_lot"),
    path("officer/awards/<int:pk>/contract/", officer_awards.create_contract, name="create_contract"),
    path("officer/responses/<int:pk>/", officer_awards.officer_tender, name="officer_tender"),
    path(
        "officer/responses/<int:pk>/files/<int:document_pk>/",
        officer_awards.officer_tender_file,
        name="officer_tender_file",
    ),
    path(
        "officer/responses/<int:pk>/moderate/<int:criterion_pk>/",
        evaluation.moderate,
        {"kind": "tender"},
        name="moderate_tender",
    ),
    # Officers: direct awards
    path("officer/direct-awards/new/", officer_awards.request_direct_award, name="request_direct_award"),
    path("officer/direct-awards/<int:pk>/", officer_awards.officer_direct_award, name="officer_direct_award"),
    path(
        "officer/direct-awards/<int:pk>/evaluators/",
        officer_awards.direct_award_evaluators,
        name="direct_award_evaluators",
    ),
    path(
        "officer/direct-awards/<int:pk>/moderate/",
        evaluation.moderate,
        {"kind": "direct_award"},
        name="moderate_direct_award",
    ),
    path("officer/direct-awards/<int:pk>/decide/", officer_awards.decide_direct_award, name="decide_direct_award"),
    # Evaluators
    path("evaluator/award-evaluations/", evaluator.evaluator_assignments, name="evaluator_assignments"),
    # The one declare-and-score page of every evaluation, here for responses and direct awards.
    path(
        "evaluator/award-evaluations/responses/<int:pk>/",
        evaluation.evaluate,
        {"kind": "tender"},
        name="evaluate_tender",
    ),
    path(
        "evaluator/award-evaluations/responses/<int:pk>/files/<int:document_pk>/",
        evaluator.evaluator_tender_file,
        name="evaluator_tender_file",
    ),
    path(
        "evaluator/award-evaluations/direct-awards/<int:pk>/",
        evaluation.evaluate,
        {"kind": "direct_award"},
        name="evaluate_direct_award",
    ),
    # Providers
    path("provider/competitions/", provider.provider_competitions, name="provider_competitions"),
    path("provider/competitions/<int:pk>/", provider.provider_competition, name="provider_competition"),
    path("provider/competitions/<int:pk>/question/", provider.ask_question, name="ask_question"),
    path("provider/competitions/<int:pk>/lots/<int:lot_pk>/respond/", provider.start_tender, name="start_tender"),
    path("provider/responses/<int:pk>/", provider.provider_tender, name="provider_tender"),
    path("provider/responses/<int:pk>/edit/", provider.edit_tender, name="edit_tender"),
    path("provider/responses/<int:pk>/autosave/", provider.autosave_tender, name="autosave_tender"),
    path("provider/responses/<int:pk>/check/", provider.check_tender, name="check_tender"),
    path("provider/responses/<int:pk>/receipt/", provider.tender_receipt, name="tender_receipt"),
    path("provider/responses/<int:pk>/withdraw/", provider.withdraw_tender, name="withdraw_tender"),
    path(
        "provider/responses/<int:pk>/files/<int:document_pk>/",
        provider.provider_tender_file,
        name="provider_tender_file",
    ),
    # Officers and bidders
    path("competitions/<int:pk>/specification/", provider.competition_specification, name="competition_specification"),
]
