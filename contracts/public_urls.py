"""The site's public pages under one "public" namespace: open opportunities (here, since it lists
competitions) and the frameworks' own public routes."""

from django.urls import path

from frameworks.public_urls import urlpatterns as framework_patterns

from .award.views import public as public_views

app_name = "public"

urlpatterns = [
    path("opportunities/", public_views.opportunities, name="opportunities"),
    *framework_patterns,
]
