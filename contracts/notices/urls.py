"""URL routes of the notices pages (included at the site root), namespace "notices"."""

from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("officer/notices/", views.officer_notices, name="officer_notices"),
    path("officer/notices/overdue/", views.overdue_notices, name="overdue_notices"),
    path("officer/notices/<int:pk>/", views.notice_detail, name="notice"),
    path("officer/notices/<int:pk>/validate/", views.validate_notice, name="validate_notice"),
    path("officer/notices/<int:pk>/pdf/", views.notice_pdf, name="notice_pdf"),
    path("officer/notices/<int:pk>/publish/", views.publish_notice, name="publish_notice"),
]
