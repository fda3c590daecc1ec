"""Routes of the funding pages (included in contracts/urls.py, namespace `contracts`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("officer/funding/", views.streams, name="funding_streams"),
    path("officer/funding/add/", views.add_stream, name="add_funding_stream"),
    path("officer/funding/<int:pk>/", views.edit_stream, name="edit_funding_stream"),
    path("officer/funding/<int:pk>/allocation/", views.set_allocation, name="set_allocation"),
    path("officer/contracts/<int:pk>/contributions/", views.set_contribution, name="set_contribution"),
]
