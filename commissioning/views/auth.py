"""Sign-in, lock-out, password reset and change, and two-factor authentication."""

from __future__ import annotations

from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from .. import signin
from .. import two_factor as second_factor
from ..access import public, signed_in
from ..audit import record
from ..forms import (
    PortalPasswordChangeForm,
    PortalPasswordResetForm,
    PortalSetPasswordForm,
    SignInForm,
    TokenForm,
)


def locked_out(request: HttpRequest, until) -> HttpResponse:
    """The same answer whether or not the account exists, so it reveals nothing."""
    return render(request, "registration/locked_out.html", {"minutes": signin.minutes_left(until)}, status=429)


class SignInView(auth_views.LoginView):
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        limits = {"failure_limit": settings.SIGN_IN_FAILURE_LIMIT, "lock_minutes": settings.SIGN_IN_LOCK_MINUTES}
        return super().get_context_data(**limits, **kwargs)

    def form_invalid(self, form):
        until = signin.locked_until(self.request, self.request.POST.get("username"))
        if until is not None:
            return locked_out(self.request, until)
        return super().form_invalid(form)


sign_in = public(SignInView.as_view())
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


def _safe_next(request: HttpRequest, default: str = "") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default or str(reverse_lazy("home"))


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]  # inline in HTML: without the XML declaration


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
    """Ask for the code of the user's authenticator. Someone with none yet sets one up: by the link
    e-mailed to them if an administrator made their account, otherwise on the set-up page."""
    user = request.user
    if user.is_verified():
        return redirect(_safe_next(request))
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        if user.enrols_by_link:
            return render(request, "registration/two_factor_link_needed.html")
        return redirect(f"{reverse('two_factor_setup')}?{urlencode({'next': _safe_next(request)})}")
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
            otp_login(request, device)
            record("auth.two_factor_verified", by=user, obj=user, request=request)
            return redirect(_safe_next(request))
        else:
            record("auth.two_factor_failed", by=user, obj=user, request=request)
            form.add_error("token", "The security code is wrong or has expired. Enter the current code")
    return render(request, "registration/two_factor.html", {"form": form, "next": _safe_next(request)})


PENDING_AUTHENTICATOR = "pending_authenticator"


def _set_up(request: HttpRequest, *, link=None) -> HttpResponse:
    """Show a new authenticator's QR code and key, and confirm it with a code from the app. The secret
    waits in the session until then, so nothing is stored before the app is proven to work."""
    user = request.user
    if PENDING_AUTHENTICATOR not in request.session:
        request.session[PENDING_AUTHENTICATOR] = second_factor.new_secret()
    device = second_factor.pending_device(user, request.session[PENDING_AUTHENTICATOR])
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        step = second_factor.code_matches(device, form.cleaned_data["token"])
        if step is None:
            form.add_error("token", "The security code is wrong or has expired. Enter the code the app shows now")
        else:
            try:
                confirmed = second_factor.enrol(by=user, key=device.key, last_t=step, link=link)
            except second_factor.LinkError as error:
                return _link_problem(request, str(error))
            del request.session[PENDING_AUTHENTICATOR]
            otp_login(request, confirmed)
            messages.success(
                request, "Two-factor authentication is set up. You will be asked for a code when you sign in."
            )
            return redirect(_safe_next(request, default=reverse("account")))
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "next": _safe_next(request, default=reverse("account")),
            "qr_svg": _qr_svg(device.config_url),
            "secret": second_factor.readable_key(device),
            "by_link": link is not None,
        },
    )


def _link_problem(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "registration/two_factor_link_problem.html", {"message": message}, status=410)


@signed_in
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator from the account page: any supplier's user may, and must once their
    organisation requires it. Accounts made by an administrator use the e-mailed link instead."""
    if request.user.enrols_by_link:
        return render(request, "registration/two_factor_link_needed.html")
    if not request.user.is_verified() and second_factor.has_authenticator(request.user):
        # Replacing an authenticator takes a code from the current one: a password alone is not enough.
        return redirect(f"{reverse('two_factor')}?{urlencode({'next': request.get_full_path()})}")
    return _set_up(request)


@signed_in
def two_factor_enrol(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time link e-mailed to the account's holder: they sign in with their password first, then
    set up their authenticator here. A used, expired or someone else's link gets a plain message."""
    try:
        link = second_factor.usable_link(token, request.user)
    except second_factor.LinkError as error:
        return _link_problem(request, str(error))
    return _set_up(request, link=link)


@signed_in
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own account: who they are, their password and their second factor."""
    user = request.user
    return render(
        request,
        "registration/account.html",
        {"device": TOTPDevice.objects.filter(user=user, confirmed=True).first(), "account_user": user},
    )


@public
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
