from django.urls import path

from . import open_framework_views, views
from .evaluation import views as evaluation

app_name = "frameworks"

urlpatterns = [
    path("provider/opportunities/", views.opportunities, name="opportunities"),
    path("provider/windows/<int:window_pk>/apply/", views.start_application, name="start_application"),
    path("provider/applications/<int:pk>/", views.task_list, name="task_list"),
    path("provider/applications/<int:pk>/lots/", views.edit_lots, name="edit_lots"),
    path("provider/applications/<int:pk>/consortium/", views.edit_consortium, name="edit_consortium"),
    path("provider/applications/<int:pk>/sharing/", views.edit_consent, name="edit_consent"),
    path("provider/applications/<int:pk>/sections/<slug:slug>/", views.edit_section, name="edit_section"),
    path("provider/applications/<int:pk>/sections/<slug:slug>/autosave/", views.autosave, name="autosave"),
    path("provider/applications/<int:pk>/check/", views.check_answers, name="check_answers"),
    path("provider/applications/<int:pk>/receipt/", views.application_receipt, name="application_receipt"),
    path("provider/applications/<int:pk>/status/", views.provider_application, name="provider_application"),
    path("provider/applications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "provider/applications/<int:pk>/clarifications/<int:clarification_pk>/",
        views.clarification_respond,
        name="clarification_respond",
    ),
    path(
        "provider/applications/<int:pk>/files/<int:answer_pk>/", views.provider_answer_file, name="provider_answer_file"
    ),
    # The one declare-and-score page of every evaluation, here for applications.
    path("evaluator/assignments/<int:pk>/", evaluation.evaluate, {"kind": "application"}, name="evaluate"),
    path(
        "evaluator/assignments/<int:pk>/files/<int:answer_pk>/",
        views.evaluator_answer_file,
        name="evaluator_answer_file",
    ),
    path(
        "evaluator/assignments/<int:pk>/accreditations/<int:accreditation_pk>/",
        views.evaluator_accreditation_file,
        name="evaluator_accreditation_file",
    ),
    path(
        "evaluator/assignments/<int:pk>/documents/<int:document_pk>/",
        views.evaluator_document_file,
        name="evaluator_document_file",
    ),
    path("officer/frameworks/", views.officer_frameworks, name="officer_frameworks"),
    path("officer/frameworks/<int:pk>/applications/", views.officer_applications, name="officer_applications"),
    path("officer/frameworks/<int:pk>/award/", open_framework_views.award_framework, name="award_framework"),
    path("officer/frameworks/<int:pk>/approved-list/", views.approved_list, name="approved_list"),
    path("officer/applications/<int:pk>/", views.officer_application, name="officer_application"),
    path(
        "officer/applications/<int:pk>/moderate/<int:criterion_pk>/",
        evaluation.moderate,
        {"kind": "application"},
        name="moderate",
    ),
    path("officer/applications/<int:pk>/decide/<int:choice_pk>/", views.decide, name="decide"),
    path("officer/applications/<int:pk>/files/<int:answer_pk>/", views.officer_answer_file, name="officer_answer_file"),
    path(
        "officer/applications/<int:pk>/accreditations/<int:accreditation_pk>/",
        views.officer_accreditation_file,
        name="officer_accreditation_file",
    ),
    path(
        "officer/applications/<int:pk>/documents/<int:document_pk>/",
        views.officer_document_file,
        name="officer_document_file",
    ),
    path("officer/appointments/<int:pk>/status/", views.appointment_status, name="appointment_status"),
]
