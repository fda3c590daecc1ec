from django.urls import path

from . import registration_views, views

app_name = "suppliers"

urlpatterns = [
    path("register/", registration_views.register, name="register"),
    path("register/check-your-email/", registration_views.registration_sent, name="registration_sent"),
    path("register/confirm/<str:token>/", registration_views.confirm_registration, name="confirm_registration"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("provider/organisation/", views.organisation, name="organisation"),
    path("provider/organisation/details/", views.organisation_edit, name="organisation_edit"),
    path("provider/organisation/accreditations/add/", views.accreditation_add, name="accreditation_add"),
    path(
        "provider/organisation/accreditations/<int:pk>/remove/",
        views.accreditation_remove,
        name="accreditation_remove",
    ),
    path(
        "provider/organisation/accreditations/<int:pk>/evidence/",
        views.accreditation_evidence,
        name="accreditation_evidence",
    ),
    path("provider/organisation/documents/add/", views.document_add, name="document_add"),
    path("provider/organisation/documents/<int:pk>/remove/", views.document_remove, name="document_remove"),
    path("provider/organisation/documents/<int:pk>/", views.document_download, name="document_download"),
    path("provider/organisation/people/invite/", views.invite, name="invite"),
    path("provider/organisation/two-factor/", views.two_factor_requirement, name="two_factor_requirement"),
]
