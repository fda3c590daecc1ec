import base64
import re

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from commissioning.models import AuditEvent, Notification
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/sign-in/"


def sign_in(client, email, password=PASSWORD):
    return client.post(LOGIN, {"username": email, "password": password})


@pytest.mark.parametrize(
    ("role", "home"),
    [
        ("officer", "/officer/"),
        ("evaluator", "/evaluator/"),
        ("provider", "/provider/"),
        ("partner", "/partner/"),
    ],
)
def test_each_role_signs_in_and_lands_on_its_home(client, role, home):
    user = make_user(role)
    response = sign_in(client, user.email)
    assert response.status_code == 302
    response = client.get(response.url, follow=True)
    assert response.redirect_chain[-1][0] == home
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="auth.signed_in", actor=user).count() == 1


def test_sign_in_is_case_insensitive_on_email(client, provider):
    assert sign_in(client, provider.email.upper()).status_code == 302


def test_wrong_password_shows_the_error_and_keeps_the_email(client, officer):
    response = sign_in(client, officer.email, "not-the-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter a correct email address and password" in html
    assert f'value="{officer.email}"' in html
    assert response.context["form"].errors
    assert html.count("<title>Error: Sign in") == 1
    assert AuditEvent.objects.filter(action="auth.sign_in_failed", actor_email=officer.email).exists()


def test_empty_form_names_each_missing_field(client):
    response = client.post(LOGIN, {"username": "", "password": ""})
    html = response.content.decode()
    assert 'href="#id_username">Enter your email address</a>' in html
    assert 'href="#id_password">Enter your password</a>' in html
    assert 'class="govuk-error-message"' in html


def _fail(client, email, times):
    for _ in range(times):
        client.post(LOGIN, {"username": email, "password": "wrong-password-xx"})


def test_ten_failures_lock_the_account_even_for_the_right_password(client, provider):
    _fail(client, provider.email, 10)
    response = sign_in(client, provider.email)
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()
    assert "15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.locked_out", actor_email=provider.email).exists()


def test_nine_failures_do_not_lock_the_account(client, provider):
    _fail(client, provider.email, 9)
    assert sign_in(client, provider.email).status_code == 302


def test_lock_out_answers_the_same_for_an_unknown_account(client, provider):
    _fail(client, provider.email, 10)
    known = sign_in(client, provider.email, "wrong-password-xx")
    _fail(client, "nobody@example.org", 10)
    unknown = sign_in(client, "nobody@example.org", "wrong-password-xx")
    assert known.status_code == unknown.status_code == 429
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", known.content.decode()) == strip.sub("", unknown.content.decode())


def test_lock_out_expires_after_fifteen_minutes(client, provider, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt

    _fail(client, provider.email, 10)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16))
    assert sign_in(client, provider.email).status_code == 302


def test_sign_out_needs_post_and_is_audited(client, provider):
    client.force_login(provider)
    assert client.get("/sign-out/").status_code == 405
    response = client.post("/sign-out/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.signed_out", actor=provider).exists()


class TestTwoFactor:
    @pytest.fixture(autouse=True)
    def _require_mfa(self, settings):
        settings.REQUIRE_STAFF_MFA = True

    def test_staff_are_sent_to_two_factor_before_any_page_including_admin(self, client, officer):
        sign_in(client, officer.email)
        for path in ["/officer/", "/admin/", "/admin/commissioning/area/"]:
            response = client.get(path)
            assert response.status_code == 302
            assert response.url.startswith("/account/two-factor/?next=")

    def test_evaluators_need_it_too(self, client, evaluator):
        sign_in(client, evaluator.email)
        assert client.get("/evaluator/").url.startswith("/account/two-factor/")

    def test_providers_and_partners_do_not(self, client, provider, partner):
        sign_in(client, provider.email)
        assert client.get("/provider/").status_code == 200
        client.post("/sign-out/")
        sign_in(client, partner.email)
        assert client.get("/partner/").status_code == 200

    def test_enrolment_then_verification_unlocks_the_portal(self, client, officer):
        sign_in(client, officer.email)
        page = client.get("/account/two-factor/?next=/admin/")
        assert page.status_code == 200
        assert "Set up two-factor authentication" in page.content.decode()
        assert "<svg" in page.content.decode()
        assert not TOTPDevice.objects.filter(user=officer).exists(), "showing the QR code must write nothing"
        assert client.get("/account/two-factor/").context["secret"] == page.context["secret"]  # the same secret

        wrong = client.post("/account/two-factor/", {"token": "000000", "next": "/admin/"})
        assert "The security code is wrong" in wrong.content.decode()
        device = TOTPDevice.objects.get(user=officer, confirmed=False)
        assert base64.b32encode(device.bin_key).decode().rstrip("=") == page.context["secret"]

        throttled = client.post("/account/two-factor/", {"token": "000000", "next": "/admin/"})
        assert "Too many wrong codes" in throttled.content.decode()
        device.refresh_from_db()
        device.throttle_reset()
        token = f"{totp(device.bin_key):06d}"
        response = client.post("/account/two-factor/", {"token": token, "next": "/admin/"})
        assert response.status_code == 302 and response.url == "/admin/"
        assert client.get("/admin/").status_code == 200
        assert TOTPDevice.objects.get(pk=device.pk).confirmed
        actions = set(AuditEvent.objects.filter(actor=officer).values_list("action", flat=True))
        assert {"auth.two_factor_enrolled", "auth.two_factor_verified", "auth.two_factor_failed"} <= actions

    def test_an_enrolled_user_is_asked_for_a_code_not_shown_the_secret(self, client, officer):
        TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
        sign_in(client, officer.email)
        page = client.get("/account/two-factor/")
        assert "Enter your security code" in page.content.decode()
        assert "<svg" not in page.content.decode()

    def test_the_code_must_be_six_digits(self, client, officer):
        sign_in(client, officer.email)
        response = client.post("/account/two-factor/", {"token": "12ab"})
        assert "The security code must be 6 digits" in response.content.decode()

    def test_off_by_default_in_the_demo(self, client, officer, settings):
        settings.REQUIRE_STAFF_MFA = False
        sign_in(client, officer.email)
        assert client.get("/officer/").status_code == 200


def test_password_reset_by_email_end_to_end(client, provider, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/password-reset/", {"email": provider.email})
    assert response.status_code == 302 and response.url == "/password-reset/sent/"
    assert len(mail.outbox) == 1
    # Through the one e-mail path: recorded for the person, and the link is not kept once it is sent.
    recorded = Notification.objects.get(recipient=provider, kind="password-reset")
    assert recorded.status == Notification.Status.SENT and recorded.confidential
    assert recorded.body_text == recorded.body_html == ""
    message = mail.outbox[0]
    assert message.to == [provider.email]
    assert message.alternatives and "text/html" in message.alternatives[0][1]
    link = re.search(r"http://testserver(/password-reset/[^\s]+/)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    short = client.post(set_url, {"new_password1": "short", "new_password2": "short"})
    assert "This password is too short" in short.content.decode()
    done = client.post(set_url, {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"})
    assert done.status_code == 302
    assert sign_in(client, provider.email, "a-brand-new-passphrase").status_code == 302


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post("/password-reset/", {"email": "nobody@example.org"}, follow=True)
    assert "Check your email" in response.content.decode()
    assert mail.outbox == []


def test_password_reset_rejects_a_malformed_address_next_to_the_field(client):
    response = client.post("/password-reset/", {"email": "not-an-email"})
    html = response.content.decode()
    assert "Enter an email address in the correct format" in html
    assert 'value="not-an-email"' in html


def test_password_change_needs_sign_in_and_enforces_twelve_characters(client, partner):
    assert client.get("/account/password/").url.startswith("/sign-in/")
    client.force_login(partner)
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "elevenchars", "new_password2": "elevenchars"},
    )
    assert "at least 12 characters" in response.content.decode()
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "twelve-chars-ok!", "new_password2": "twelve-chars-ok!"},
    )
    assert response.status_code == 302 and response.url == reverse("password_change_done")
