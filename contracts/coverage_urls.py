"""Coverage of frameworks by lot and area, for officers and partner commissioners."""

from django.urls import path

from . import coverage_views as views

app_name = "coverage"

urlpatterns = [
    path("coverage/", views.coverage_index, name="index"),
    path("coverage/<str:reference>/", views.matrix, name="matrix"),
    path(
        "coverage/<str:reference>/lots/<int:lot_number>/areas/<slug:area_code>/",
        views.cell,
        name="cell",
    ),
    path("coverage/<str:reference>/export/<str:fmt>/", views.export, name="export"),
    path("coverage/<str:reference>/report/", views.request_framework_report, name="report"),
]
