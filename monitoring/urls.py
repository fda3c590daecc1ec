"""URL routes of performance monitoring (included at the site root)."""

from django.urls import path

from . import views

app_name = "monitoring"

RETURN = "provider/returns/<int:contract_pk>/<int:year>/<int:quarter>/"

urlpatterns = [
    path("provider/returns/", views.provider_returns, name="provider_returns"),
    path(RETURN, views.edit_return, name="edit_return"),
    path(RETURN + "view/", views.provider_return, name="provider_return"),
    path(RETURN + "spreadsheet/", views.download_spreadsheet, name="download_spreadsheet"),
    path(RETURN + "upload/", views.upload_spreadsheet, name="upload_spreadsheet"),
    path(RETURN + "document/", views.provider_document, name="provider_document"),
    path("officer/returns/", views.dashboard, name="dashboard"),
    path(
        "officer/returns/remind/<int:contract_pk>/<int:year>/<int:quarter>/",
        views.send_reminder,
        name="send_reminder",
    ),
    path("officer/returns/aggregates/", views.aggregates, name="aggregates"),
    path("officer/returns/aggregates/export/", views.aggregates_export, name="aggregates_export"),
    path("officer/returns/reports/", views.report_requests, name="reports"),
    path("officer/returns/contracts/<int:contract_pk>/targets/", views.targets, name="targets"),
    path("officer/returns/<int:pk>/", views.review, name="review"),
    path("officer/returns/<int:pk>/document/", views.officer_document, name="officer_document"),
]
