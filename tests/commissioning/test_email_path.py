"""The one e-mail path (`commissioning.email`): every e-mail is recorded in the transaction of the action
that causes it, one row per address, sent by a task once that commits, and retried with backoff while
the mail server refuses, without losing or doubling anything.

The mail server here is a real SMTP server on 127.0.0.1 (aiosmtpd, `tests/mailserver.py`) that refuses
and then accepts, or a port nothing listens on. Tasks run eagerly (no broker), so the retry sweep makes
the retries; `test_a_real_worker_retries_until_the_mail_server_accepts` runs the same with a real worker.
"""

from __future__ import annotations

import smtplib
import time
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commissioning.email import failure_reason, record_email, send_after_commit
from commissioning.models import Notification, User
from commissioning.tasks import retry_emails, send_email
from tests.factories import make_user
from tests.mailserver import REFUSED, TRY_LATER, free_port

pytestmark = pytest.mark.django_db

Status = Notification.Status


def notice(to, *, subject="Your return was accepted", url="/provider/"):
    """An e-mail in the portal's plain notice layout, as the services send them."""
    return send_after_commit(
        to=to,
        subject=subject,
        template="award/notice",
        context={"subject": subject, "message": "It was accepted.", "details": [], "url": url, "action": "See it"},
    )


def make_due(*rows: Notification) -> None:
    """As if the backoff had passed: what waiting would do, without waiting."""
    Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


# Recording ------------------------------------------------------------------------------------------


def test_each_address_gets_its_own_row_and_its_own_email_after_the_commit(django_capture_on_commit_callbacks):
    provider = make_user(User.Role.PROVIDER, email="Casey.Provider@example.org")
    colleague = make_user(User.Role.PROVIDER)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        rows = notice(["casey.provider@example.org", colleague.email, "", colleague.email])
        # Recorded at once, in the transaction; nothing has left yet.
        assert [row.status for row in rows] == [Status.QUEUED, Status.QUEUED]
        assert mail.outbox == []
    assert len(callbacks) == 2
    assert len(mail.outbox) == 2 and all(len(message.to) == 1 for message in mail.outbox)
    rows = {row.recipient: row for row in Notification.objects.all()}
    assert set(rows) == {provider, colleague}  # the address matched its account whatever its case
    for row in rows.values():
        assert row.status == Status.SENT and row.attempts == 1 and row.sent_at is not None
        assert row.kind == "award-notice" and row.url == "/provider/" and row.read_at is None
    message = next(m for m in mail.outbox if m.to == [colleague.email])
    assert message.extra_headers["X-Portal-Notification"] == str(rows[colleague].pk)
    assert message.alternatives[0][1] == "text/html" and "It was accepted." in message.body


def test_an_action_that_rolls_back_records_and_sends_nothing(django_capture_on_commit_callbacks):
    provider = make_user(User.Role.PROVIDER)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notice([provider.email])
        raise RuntimeError("the service refused after all")
    assert callbacks == []
    assert not Notification.objects.exists() and mail.outbox == []


def test_an_address_with_no_account_is_recorded_and_sent(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice(["new.colleague@example.org"])
    row = Notification.objects.get()
    assert row.recipient is None and row.email == "new.colleague@example.org" and row.status == Status.SENT
    assert mail.outbox[0].to == ["new.colleague@example.org"]


# A refusing mail server -------------------------------------------------------------------------------


def test_the_request_succeeds_while_the_mail_server_refuses_and_a_retry_sends_it_once(
    client, mail_server, settings, django_capture_on_commit_callbacks
):
    """The whole path through a real request: inviting a colleague e-mails an address with no account."""
    client.force_login(make_user(User.Role.PROVIDER))  # the organisation's administrator
    mail_server.refusing = TRY_LATER

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("suppliers:invite"), {"email": "sam.new@example.org", "full_name": "Sam New"}, follow=True
        )
    assert response.status_code == 200
    assert "We have emailed sam.new@example.org" in response.content.decode()
    row = Notification.objects.get(email="sam.new@example.org")
    assert row.status == Status.FAILED and row.attempts == 1
    assert row.last_error == f"SMTPDataError: {TRY_LATER}"
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=settings.EMAIL_RETRY_DELAY_SECONDS - 5)
    assert mail_server.refused == 1 and mail_server.received == []

    # Before the backoff has passed the sweep leaves it alone.
    assert retry_emails.delay().get() == {}
    mail_server.refusing = ""
    make_due(row)
    assert retry_emails.delay().get() == {"retried": 1, "sent": 1}
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 2 and row.last_error == "" and row.next_attempt_at is None
    assert mail_server.recipients() == ["sam.new@example.org"]
    assert "Sam New" in mail_server.received[0].get_payload()[0].get_payload(decode=True).decode()

    # Nothing is sent twice: not by another sweep, nor by a late duplicate of the task.
    make_due(row)
    assert retry_emails.delay().get() == {}
    assert send_email.delay(row.pk).get() == "skipped"
    assert len(mail_server.received) == 1


def test_a_mail_server_that_is_down_loses_nothing(settings, mail_server, django_capture_on_commit_callbacks):
    provider = make_user(User.Role.PROVIDER)
    settings.EMAIL_PORT = free_port()  # nothing listens there: the connection is refused
    with django_capture_on_commit_callbacks(execute=True):
        notice([provider.email])
    row = Notification.objects.get()
    assert row.status == Status.FAILED and row.last_error.startswith("ConnectionRefusedError")

    settings.EMAIL_PORT = mail_server.port
    make_due(row)
    assert retry_emails.delay().get() == {"retried": 1, "sent": 1}
    assert mail_server.recipients() == [provider.email]


def test_retries_back_off_exponentially_and_stop_after_the_last_attempt(
    settings, mail_server, django_capture_on_commit_callbacks
):
    settings.EMAIL_MAX_ATTEMPTS = 4
    settings.EMAIL_RETRY_DELAY_SECONDS = 60
    provider = make_user(User.Role.PROVIDER)
    mail_server.refusing = REFUSED
    with django_capture_on_commit_callbacks(execute=True):
        notice([provider.email])
    row = Notification.objects.get()
    delays = []
    for _ in range(3):
        delays.append(round((row.next_attempt_at - timezone.now()).total_seconds()))
        make_due(row)
        retry_emails.delay().get()
        row.refresh_from_db()
    assert delays == [60, 120, 240]
    assert row.status == Status.FAILED and row.attempts == 4 and row.next_attempt_at is None
    assert row.last_error == f"SMTPDataError: {REFUSED}"

    # Given up: it stays failed, with its reason, for the admin's e-mail log.
    mail_server.refusing = ""
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(days=1))
    assert retry_emails.delay().get() == {}
    assert mail_server.refused == 4 and mail_server.received == []


def test_an_email_whose_task_never_ran_is_sent_by_the_sweep(mail_server):
    """As when the broker was down at the commit: the row is there, queued, and its task is lost."""
    provider = make_user(User.Role.PROVIDER)
    row = notice([provider.email])[0]  # the test's transaction never commits, so no task is queued
    assert retry_emails.delay().get() == {}  # its task still has EMAIL_RETRY_DELAY_SECONDS to run
    make_due(row)
    assert retry_emails.delay().get() == {"retried": 1, "sent": 1}
    assert mail_server.recipients() == [provider.email]
    assert send_email.delay(row.pk).get() == "skipped"  # the task, arriving at last, sends nothing
    assert len(mail_server.received) == 1


def test_a_claim_left_by_a_stopped_worker_is_sent_again_once_stale(settings, mail_server):
    provider = make_user(User.Role.PROVIDER)
    row = notice([provider.email])[0]
    Notification.objects.filter(pk=row.pk).update(status=Status.CLAIMED, attempts=1, claimed_at=timezone.now())
    assert retry_emails.delay().get() == {}  # a live worker may be sending it right now
    Notification.objects.filter(pk=row.pk).update(
        claimed_at=timezone.now() - settings.EMAIL_CLAIM_TIMEOUT - timedelta(seconds=1)
    )
    assert retry_emails.delay().get() == {"retried": 1, "sent": 1}
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 2


def test_a_confidential_body_is_erased_once_given_up(settings, mail_server, django_capture_on_commit_callbacks):
    settings.EMAIL_MAX_ATTEMPTS = 1
    provider = make_user(User.Role.PROVIDER)
    mail_server.refusing = REFUSED
    with django_capture_on_commit_callbacks(execute=True):
        record_email(
            address=provider.email,
            recipient=provider,
            kind="password-reset",
            subject="Reset your password",
            body_text="https://portal.example/reset/secret-token/",
            confidential=True,
        )
    row = Notification.objects.get()
    assert row.status == Status.FAILED and row.body_text == "" and row.next_attempt_at is None


def test_the_failure_reason_says_what_the_server_said():
    refused = smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"5.1.1 No such user")})
    assert failure_reason(refused) == "SMTPRecipientsRefused: a@example.org: 550 5.1.1 No such user"
    assert failure_reason(smtplib.SMTPDataError(451, b"Later")) == "SMTPDataError: 451 Later"
    assert failure_reason(TimeoutError("timed out")) == "TimeoutError: timed out"


def test_beat_runs_the_retry_sweep_every_few_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["retry-unsent-emails"]
    assert entry["task"] == retry_emails.name == "commissioning.retry_emails"
    assert entry["schedule"].minute == set(range(0, 60, 5))


# The admin's e-mail log ---------------------------------------------------------------------------------


def test_the_admin_log_shows_status_and_reason_read_only_and_hides_sealed_and_secret_text(
    client, settings, mail_server, django_capture_on_commit_callbacks
):
    officer = make_user(User.Role.OFFICER)
    provider = make_user(User.Role.PROVIDER)
    mail_server.refusing = TRY_LATER
    with django_capture_on_commit_callbacks(execute=True):
        notice([provider.email], subject="Your return was accepted")
        send_after_commit(
            to=[provider.email],
            subject="Response received: a sealed competition",
            template="award/notice",
            context={"message": "Received.", "url": "/provider/"},
            sealed_until=timezone.now() + timedelta(days=3),
        )
    client.force_login(officer)
    listing = client.get("/admin/commissioning/notification/").content.decode()
    assert "Your return was accepted" in listing and "Not sent" in listing and "451 4.3.0" in listing
    assert "sealed competition" not in listing  # it would name a bidder before the closing time
    failed = Notification.objects.get(subject="Your return was accepted")
    assert client.get(f"/admin/commissioning/notification/{failed.pk}/change/").status_code == 200
    assert client.post(f"/admin/commissioning/notification/{failed.pk}/change/", {}).status_code == 403
    assert client.get(f"/admin/commissioning/notification/{failed.pk}/delete/").status_code == 403
    assert client.get("/admin/commissioning/notification/add/").status_code == 403

    sealed = Notification.objects.get(subject__startswith="Response received")
    assert client.get(f"/admin/commissioning/notification/{sealed.pk}/change/").status_code == 302  # not found
    Notification.objects.filter(pk=sealed.pk).update(sealed_until=timezone.now() - timedelta(seconds=1))
    assert "sealed competition" in client.get("/admin/commissioning/notification/").content.decode()


# A real worker -----------------------------------------------------------------------------------------


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"Timed out waiting for {what}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_retries_until_the_mail_server_accepts(client, celery_workers, settings, tmp_path):
    from tests.mailserver import MailServer, RunningMailServer

    queue = f"email-test-{uuid.uuid4().hex[:8]}"
    settings.EMAIL_QUEUE = queue
    with RunningMailServer(MailServer(refusing=TRY_LATER)) as server:
        celery_workers(
            queue=queue,
            env={
                # The production settings, so the mail settings come from the environment as they do live.
                "DJANGO_SETTINGS_MODULE": "commissioning.settings.production",
                "SECRET_KEY": "email-test-secret-key-" + uuid.uuid4().hex,
                "TENDER_SEALING_KEY": "worker:" + "A" * 43 + "=",
                "ALLOWED_HOSTS": "localhost",
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": server.host,
                "EMAIL_PORT": str(server.port),
                "EMAIL_RETRY_DELAY_SECONDS": "1",
                "EMAIL_QUEUE": queue,
                "MEDIA_ROOT": str(tmp_path / "media"),
            },
        )
        client.force_login(make_user(User.Role.PROVIDER))  # the organisation's administrator
        response = client.post(reverse("suppliers:invite"), {"email": "sam.new@example.org", "full_name": "Sam New"})
        assert response.status_code == 302  # the request does not wait for, or see, the mail server

        def row() -> Notification:
            return Notification.objects.get(email="sam.new@example.org")

        _wait_for(lambda: row().status == Status.FAILED, 60, "the worker's first, refused attempt")
        assert row().last_error == f"SMTPDataError: {TRY_LATER}"
        server.refusing = ""
        _wait_for(lambda: row().status == Status.SENT, 60, "a retry to be accepted")
        assert row().attempts >= 2 and row().last_error == ""
        time.sleep(2)  # a duplicate retry, had one been queued, would have arrived by now
        assert server.recipients() == ["sam.new@example.org"]
        assert server.refused == row().attempts - 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_request_that_queues_an_email_asks_for_no_result(client, celery_worker):
    """An e-mail's outcome is its row, and nothing waits for the task. Asked for a result, the Redis result
    backend subscribes the sending process to the task's result channel, under a lock its threads share,
    for as long as the result object lives, and the worker writes and publishes the result."""
    from celery.result import AsyncResult
    from celery.signals import after_task_publish

    published = []

    def keep(sender=None, headers=None, **kwargs):
        if sender == send_email.name:
            published.append(headers)

    after_task_publish.connect(keep, weak=False)
    try:
        client.force_login(make_user(User.Role.PROVIDER))
        response = client.post(reverse("suppliers:invite"), {"email": "sam.new@example.org", "full_name": "Sam New"})
    finally:
        after_task_publish.disconnect(keep)
    assert response.status_code == 302
    [headers] = published
    assert headers["ignore_result"] is True
    _wait_for(
        lambda: Notification.objects.get(email="sam.new@example.org").status == Status.SENT,
        60,
        "the worker to send the invitation",
    )
    time.sleep(1)  # a result, had the worker kept one, is written as the task returns
    assert AsyncResult(headers["id"], app=send_email.app).state == "PENDING"  # none was kept
