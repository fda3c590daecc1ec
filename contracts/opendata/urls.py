"""Public open data (namespace "opendata"): OCDS release packages and records of published notices."""

from django.urls import path

from . import views

app_name = "opendata"

urlpatterns = [
    path("open-data/releases/", views.releases_since, name="releases"),
    path("open-data/procedures/<str:ocid>/releases/", views.procedure_releases, name="procedure_releases"),
    path("open-data/procedures/<str:ocid>/record/", views.procedure_record, name="procedure_record"),
]
