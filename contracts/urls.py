"""URL routes of the contracts register (included at the site root)."""

from django.urls import path

from . import views
from .funding.urls import urlpatterns as funding_urlpatterns
from .grants.urls import urlpatterns as grants_urlpatterns

app_name = "contracts"

urlpatterns = [
    path("officer/contracts/", views.officer_register, name="officer_register"),
    path("officer/contracts/envelope/", views.funding_envelope, name="envelope"),
    path("officer/contracts/pipeline/", views.pipeline, name="pipeline"),
    path("officer/contracts/panel-report/", views.panel_report, name="panel_report"),
    path("officer/contracts/panel-report/pdf/", views.request_panel_report, name="request_panel_report"),
    path("officer/contracts/<int:pk>/", views.officer_contract, name="officer_contract"),
    path("officer/contracts/<int:pk>/go-live/", views.go_live, name="go_live"),
    path("officer/contracts/<int:pk>/variation/", views.record_variation, name="record_variation"),
    path("officer/contracts/<int:pk>/extension/", views.exercise_extension, name="exercise_extension"),
    path("officer/contracts/<int:pk>/terminate/", views.terminate_contract, name="terminate"),
    path("officer/contracts/<int:pk>/scope/", views.set_scope, name="set_scope"),
    path("officer/contracts/<int:pk>/meetings/schedule/", views.schedule_meetings, name="schedule_meetings"),
    path("provider/contracts/", views.provider_contracts, name="provider_contracts"),
    path("provider/contracts/<int:pk>/", views.provider_contract, name="provider_contract"),
    path("contracts/actions/<int:pk>/done/", views.complete_action, name="complete_action"),
]
urlpatterns += funding_urlpatterns
urlpatterns += grants_urlpatterns
