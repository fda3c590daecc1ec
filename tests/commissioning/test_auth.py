import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from commissioning.models import AuditEvent, Notification, SignInThrottle
from commissioning.signin import forget_old_failures, lock_minutes
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


def test_lock_out_expires_after_fifteen_minutes(client, provider):
    _fail(client, provider.email, 10)
    assert sign_in(client, provider.email).status_code == 429
    SignInThrottle.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert sign_in(client, provider.email).status_code == 302


def test_after_a_lock_out_the_same_address_in_other_letter_case_is_refused(client, provider):
    """Issue 16, finding 4: the lock was per e-mail as typed, so PROVIDER@... signed in after ten failures."""
    _fail(client, provider.email, 10)
    for variant in (provider.email.upper(), f"  {provider.email.title()}  "):
        response = client.post(LOGIN, {"username": variant, "password": PASSWORD})
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session


def test_guessing_in_mixed_case_counts_against_the_same_address(client, provider):
    for variant in [provider.email, provider.email.upper(), provider.email.title()] * 3 + [provider.email.upper()]:
        client.post(LOGIN, {"username": variant, "password": "wrong-password-xx"})
    assert sign_in(client, provider.email).status_code == 429


def test_a_strangers_failures_from_elsewhere_do_not_lock_the_bidder_out(client, provider):
    """Issue 16, finding 4: anyone could lock a bidder out just before a deadline."""
    for _ in range(12):
        client.post(LOGIN, {"username": provider.email, "password": "wrong-xx"}, REMOTE_ADDR="203.0.113.9")
    assert (
        client.post(LOGIN, {"username": provider.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.9").status_code
        == 429
    )
    response = client.post(LOGIN, {"username": provider.email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302


def test_each_lock_in_a_row_lasts_twice_as_long(client, provider):
    locks = []
    for _ in range(3):
        _fail(client, provider.email, 10)
        row = SignInThrottle.objects.get(email=provider.email)
        locks.append(round((row.locked_until - row.last_failure_at).total_seconds() / 60))
        SignInThrottle.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert locks == [15, 30, 60]
    assert lock_minutes(30) == 24 * 60  # never more than a day


def test_the_account_holder_is_emailed_when_their_account_is_locked(
    client, provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _fail(client, provider.email.upper(), 10)
    assert [m.to for m in mail.outbox] == [[provider.email]]
    assert "too many times" in mail.outbox[0].body and "15 minutes" in mail.outbox[0].body
    event = AuditEvent.objects.get(action="auth.locked_out")
    assert event.actor_email == provider.email and event.ip_address == "127.0.0.1"
    assert event.data["minutes"] == 15


def test_a_lock_on_an_unknown_address_emails_nobody(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _fail(client, "nobody@example.org", 10)
    assert mail.outbox == []


def test_a_successful_sign_in_forgets_the_failures(client, provider):
    _fail(client, provider.email, 9)
    assert sign_in(client, provider.email).status_code == 302
    assert not SignInThrottle.objects.exists()


def test_old_failures_are_forgotten(client, provider):
    _fail(client, provider.email, 3)
    SignInThrottle.objects.update(last_failure_at=timezone.now() - timedelta(days=2))
    assert forget_old_failures() == 1


def test_the_admins_own_sign_in_form_is_not_a_way_round_the_lock(client, provider):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response.url.startswith("/sign-in/")
    client.force_login(provider)
    assert client.get("/admin/login/").status_code == 403


def test_sign_out_needs_post_and_is_audited(client, provider):
    client.force_login(provider)
    assert client.get("/sign-out/").status_code == 405
    response = client.post("/sign-out/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.signed_out", actor=provider).exists()


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
