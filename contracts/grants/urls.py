"""Routes of the grants pages (included in contracts/urls.py, namespace `contracts`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("officer/grants/", views.rounds, name="grant_rounds"),
    path("officer/grants/<int:pk>/", views.grant_round, name="grant_round"),
    path("officer/grants/applications/<int:pk>/decide/", views.decide, name="decide_grant"),
    path("officer/grants/applications/<int:pk>/agreement/", views.agreement, name="grant_agreement"),
    path("officer/grants/payments/<int:pk>/paid/", views.record_payment, name="record_grant_payment"),
    path("provider/grants/", views.provider_grants, name="provider_grants"),
    path("provider/grants/rounds/<int:pk>/apply/", views.provider_apply, name="provider_grant_apply"),
    path("provider/grants/rounds/<int:pk>/check/", views.provider_check, name="provider_grant_check"),
    path("provider/grants/applications/<int:pk>/", views.provider_application, name="provider_grant_application"),
    path("provider/grants/applications/<int:pk>/submitted/", views.provider_submitted, name="provider_grant_submitted"),
    path("provider/grants/applications/<int:pk>/withdraw/", views.provider_withdraw, name="provider_grant_withdraw"),
]
