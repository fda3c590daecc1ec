"""URL routes of the award stage (included at the site root), namespace "awards"."""

from django.urls import path

from . import award_views as views

app_name = "awards"

urlpatterns = [
    # Officers: competitions
    path("officer/competitions/", views.officer_competitions, name="officer_competitions"),
    path("officer/competitions/new/", views.create_competition, name="create_competition"),
    path("officer/competitions/<int:pk>/", views.officer_competition, name="officer_competition"),
    path("officer/competitions/<int:pk>/edit/", views.edit_competition, name="edit_competition"),
    path("officer/competitions/<int:pk>/criteria/", views.edit_criteria, name="edit_criteria"),
    path("officer/competitions/<int:pk>/lots/", views.edit_lots, name="edit_lots"),
    path("officer/competitions/<int:pk>/publish/", views.publish_competition, name="publish_competition"),
    path("officer/competitions/<int:pk>/cancel/", views.cancel_competition, name="cancel_competition"),
    path("officer/competitions/<int:pk>/closing-time/", views.move_closing_time, name="move_closing_time"),
    path("officer/competitions/<int:pk>/questions/<int:question_pk>/", views.answer_question, name="answer_question"),
    path("officer/competitions/<int:pk>/open/", views.open_responses, name="open_responses"),
    path("officer/competitions/<int:pk>/evaluators/", views.assign_evaluators, name="assign_evaluators"),
    path("officer/competitions/<int:pk>/lots/<int:lot_pk>/award/", views.award_lot, name="award_lot"),
    path("officer/competitions/<int:pk>/lots/<int:lot_pk>/no-award/", views.no_award_lot, name="no_award_lot"),
    path("officer/awards/<int:pk>/contract/", views.create_contract, name="create_contract"),
    path("officer/responses/<int:pk>/", views.officer_tender, name="officer_tender"),
    path("officer/responses/<int:pk>/files/<int:document_pk>/", views.officer_tender_file, name="officer_tender_file"),
    path("officer/responses/<int:pk>/moderate/<int:criterion_pk>/", views.moderate_tender, name="moderate_tender"),
    # Officers: direct awards
    path("officer/direct-awards/new/", views.request_direct_award, name="request_direct_award"),
    path("officer/direct-awards/<int:pk>/", views.officer_direct_award, name="officer_direct_award"),
    path("officer/direct-awards/<int:pk>/evaluators/", views.direct_award_evaluators, name="direct_award_evaluators"),
    path("officer/direct-awards/<int:pk>/moderate/", views.moderate_direct_award, name="moderate_direct_award"),
    path("officer/direct-awards/<int:pk>/decide/", views.decide_direct_award, name="decide_direct_award"),
    # Evaluators
    path("evaluator/award-evaluations/", views.evaluator_assignments, name="evaluator_assignments"),
    path("evaluator/award-evaluations/responses/<int:pk>/", views.evaluate_tender, name="evaluate_tender"),
    path(
        "evaluator/award-evaluations/responses/<int:pk>/files/<int:document_pk>/",
        views.evaluator_tender_file,
        name="evaluator_tender_file",
    ),
    path(
        "evaluator/award-evaluations/direct-awards/<int:pk>/", views.evaluate_direct_award, name="evaluate_direct_award"
    ),
    # Providers
    path("provider/competitions/", views.provider_competitions, name="provider_competitions"),
    path("provider/competitions/<int:pk>/", views.provider_competition, name="provider_competition"),
    path("provider/competitions/<int:pk>/question/", views.ask_question, name="ask_question"),
    path("provider/competitions/<int:pk>/lots/<int:lot_pk>/respond/", views.start_tender, name="start_tender"),
    path("provider/responses/<int:pk>/", views.provider_tender, name="provider_tender"),
    path("provider/responses/<int:pk>/edit/", views.edit_tender, name="edit_tender"),
    path("provider/responses/<int:pk>/autosave/", views.autosave_tender, name="autosave_tender"),
    path("provider/responses/<int:pk>/check/", views.check_tender, name="check_tender"),
    path("provider/responses/<int:pk>/receipt/", views.tender_receipt, name="tender_receipt"),
    path("provider/responses/<int:pk>/withdraw/", views.withdraw_tender, name="withdraw_tender"),
    path(
        "provider/responses/<int:pk>/files/<int:document_pk>/", views.provider_tender_file, name="provider_tender_file"
    ),
    # Officers and bidders
    path("competitions/<int:pk>/specification/", views.competition_specification, name="competition_specification"),
]
