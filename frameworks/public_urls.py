"""Public pages: open opportunities and the published approved list of each framework."""

from django.urls import path

from . import public_views as views

app_name = "public"

urlpatterns = [
    path("opportunities/", views.opportunities, name="opportunities"),
    path("frameworks/<str:reference>/suppliers/", views.framework_suppliers, name="framework_suppliers"),
]
