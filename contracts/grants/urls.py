"""Routes of the grants pages (included in contracts/urls.py, namespace `contracts`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("officer/grants/", views.rounds, name="grant_rounds"),
    path("officer/grants/<int:pk>/", views.grant_round, name="grant_round"),
    path("officer/grants/applications/<int:pk>/decide/", views.decide, name="decide_grant"),
    path("officer/grants/applications/<int:pk>/agreement/", views.agreement, name="grant_agreement"),
]
