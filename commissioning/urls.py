from django.contrib import admin
from django.urls import include, path

from .views import auth, documents, home, notifications, pages

urlpatterns = [
    path("", home.home, name="home"),
    path("sign-in/", auth.sign_in, name="login"),
    path("sign-out/", auth.sign_out, name="logout"),
    path("account/", auth.account, name="account"),
    path("account/two-factor/", auth.two_factor, name="two_factor"),
    path("account/two-factor/set-up/", auth.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/set-up/<str:token>/", auth.two_factor_enrol, name="two_factor_enrol"),
    path("account/password/", auth.password_change, name="password_change"),
    path("account/password/done/", auth.password_change_done, name="password_change_done"),
    path("password-reset/", auth.password_reset, name="password_reset"),
    path("password-reset/sent/", auth.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password-reset/complete/", auth.password_reset_complete, name="password_reset_complete"),
    path("officer/", home.officer_home, name="officer_home"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.notification_read_all, name="notification_read_all"),
    path("notifications/<int:pk>/", notifications.notification_detail, name="notification_detail"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification_read"),
    path("documents/", documents.document_list, name="documents"),
    path("documents/<int:pk>/", documents.document_detail, name="document_detail"),
    path("documents/<int:pk>/status/", documents.document_status, name="document_status"),
    path("documents/<int:pk>/download/", documents.document_download, name="document_download"),
    path("documents/<int:pk>/retry/", documents.document_retry, name="document_retry"),
    path(
        "documents/audit-trail-extract/",
        documents.audit_extract_request,
        name="audit_extract_request",
    ),
    path("accessibility/", pages.accessibility, name="accessibility"),
    path("privacy/", pages.privacy, name="privacy"),
    path("healthz/", pages.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("frameworks.home_urls")),
    path("", include("suppliers.urls")),
    path("", include("frameworks.urls")),
    path("", include("frameworks.partner_urls")),
    path("", include("contracts.public_urls")),
    path("", include("contracts.coverage_urls")),
    path("", include("contracts.urls")),
    path("", include("contracts.award.urls")),
    path("", include("contracts.notices.urls")),
    path("", include("contracts.opendata.urls")),
    path("", include("monitoring.urls")),
]

handler403 = "django.views.defaults.permission_denied"
handler404 = "django.views.defaults.page_not_found"
handler500 = "django.views.defaults.server_error"
