"""Role home pages that show selection-stage data; their names are the ones `home` redirects to."""

from django.urls import path

from . import views

urlpatterns = [
    path("provider/", views.provider_home, name="provider_home"),
    path("evaluator/", views.evaluator_home, name="evaluator_home"),
    path("partner/", views.partner_home, name="partner_home"),
]
