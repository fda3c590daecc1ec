"""The shared approved list: partner commissioners' pages, and the officer's list, export and history."""

from django.urls import path

from . import partner_views as views

app_name = "approved_list"

urlpatterns = [
    path("partner/frameworks/", views.shared_frameworks, name="shared_frameworks"),
    path("partner/frameworks/<str:reference>/", views.shared_list, name="shared_list"),
    path(
        "partner/frameworks/<str:reference>/export/<str:fmt>/",
        views.shared_list_export,
        name="shared_list_export",
    ),
    path("officer/approved-lists/<str:reference>/", views.officer_list, name="officer_list"),
    path(
        "officer/approved-lists/<str:reference>/export/<str:fmt>/",
        views.officer_list_export,
        name="officer_list_export",
    ),
    path("officer/appointments/<int:pk>/history/", views.appointment_history, name="appointment_history"),
]
