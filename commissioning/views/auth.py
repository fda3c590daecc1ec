"""Sign-in, lock-out, password reset and change, and two-factor authentication."""

from __future__ import annotations

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from ..access import public, signed_in
from ..audit import record
from ..forms import (
    PortalPasswordChangeForm,
    PortalPasswordResetForm,
    PortalSetPasswordForm,
    SignInForm,
    TokenForm,
)


def locked_out(request: HttpRequest, credentials: dict | None = None, *args, **kwargs) -> HttpResponse:
    """The same answer whether or not the account exists, so it reveals nothing."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


sign_in = public(auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True))
sign_out = public(auth_views.LogoutView.as_view())

password_reset = public(
    auth_views.PasswordResetView.as_view(
        form_class=PortalPasswordResetForm,
        email_template_name="registration/password_reset_email.txt",
        html_email_template_name="registration/password_reset_email.html",
        subject_template_name="registration/password_reset_subject.txt",
        extra_email_context={"portal_name": settings.PORTAL_NAME},
    )
)
password_reset_done = public(auth_views.PasswordResetDoneView.as_view())
password_reset_confirm = public(auth_views.PasswordResetConfirmView.as_view(form_class=PortalSetPasswordForm))
password_reset_complete = public(auth_views.PasswordResetCompleteView.as_view())

password_change = signed_in(
    auth_views.PasswordChangeView.as_view(
        form_class=PortalPasswordChangeForm, success_url=reverse_lazy("password_change_done")
    )
)
password_change_done = signed_in(auth_views.PasswordChangeDoneView.as_view())


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return str(reverse_lazy("home"))


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


ENROLMENT_KEY = "two_factor_enrolment_key"


def _device_being_enrolled(request: HttpRequest) -> TOTPDevice:
    """The authenticator app being set up. Its secret waits in the session, and the device is stored only
    when a code is sent (a POST): showing the QR code writes nothing."""
    pending = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    key = request.session.get(ENROLMENT_KEY) or (pending.key if pending else default_key())
    request.session[ENROLMENT_KEY] = key
    device = pending or TOTPDevice(user=request.user, confirmed=False, name="Authenticator app")
    if request.method == "POST" and (device.pk is None or device.key != key):
        device.key = key
        device.save()
    device.key = key
    return device


@signed_in
def two_factor(request: HttpRequest) -> HttpResponse:
    """Verify a TOTP code, or enrol an authenticator app first if the user has none."""
    user = request.user
    if user.is_verified():
        return redirect(_safe_next(request))
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = _device_being_enrolled(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, throttle = device.verify_is_allowed()
        if not allowed:
            wait = "a few seconds"
            if throttle and throttle.get("locked_until"):
                seconds = max(1, int((throttle["locked_until"] - timezone.now()).total_seconds()) + 1)
                wait = f"{seconds} seconds"
            form.add_error("token", f"Too many wrong codes. Wait {wait}, then enter the current code")
        elif device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                request.session.pop(ENROLMENT_KEY, None)
                record("auth.two_factor_enrolled", by=user, obj=user, request=request)
            otp_login(request, device)
            record("auth.two_factor_verified", by=user, obj=user, request=request)
            return redirect(_safe_next(request))
        else:
            record("auth.two_factor_failed", by=user, obj=user, request=request)
            form.add_error("token", "The security code is wrong or has expired. Enter the current code")
    context = {
        "form": form,
        "enrolling": enrolling,
        "next": _safe_next(request),
    }
    if enrolling:
        context["qr_svg"] = _qr_svg(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "registration/two_factor.html", context)


@public
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
