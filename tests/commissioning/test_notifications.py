"""Reminders: what the sweep selects, that each reminder is sent exactly once, that unsent claims and
failed sends are retried a bounded number of times, and that a worker killed mid-send loses nothing.

The test source below stands in for the sources of the other apps: it works out from the database
(areas whose `region` holds a due date) what is due, exactly as a real source reads its obligations.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commissioning import notifications
from commissioning.celery import app as celery_app
from commissioning.models import Area, AuditEvent, Notification, ReminderRule, User
from commissioning.notifications import Due, run_sweep, when_phrase
from commissioning.tasks import retry_emails, send_reminders
from tests.factories import make_area, make_user

TODAY = date(2025, 7, 17)
KIND = "test-returns"


def make_obligation(due: date) -> Area:
    return make_area(region=due.isoformat())


@pytest.fixture
def people(db) -> dict[str, User]:
    return {"provider": make_user(User.Role.PROVIDER), "officer": make_user(User.Role.OFFICER)}


@pytest.fixture
def source(people):
    """Register a reminder source for the test, and remove it afterwards."""

    def due_items(today: date):
        rule = notifications.rule_for(KIND)
        horizon = rule.horizon(today).isoformat()
        for area in Area.objects.filter(region__startswith="20", region__lte=horizon).order_by("pk"):
            due = date.fromisoformat(area.region)
            occasion = rule.occasion_for(due, today)
            if occasion:
                yield Due(
                    recipient=people["provider"],
                    obligation=area,
                    occasion=occasion,
                    subject=f"Your return for {area.name} is due {when_phrase(due, today)}",
                    url=f"/returns/{area.pk}/",
                    context={
                        "message": f"Your quarterly return for {area.name} is due by 5pm on {due:%d %B %Y}.",
                        "details": [("Due", f"{due:%d %B %Y}")],
                        "action": "Complete your return",
                    },
                )
            if rule.escalation_due(due, today):
                yield Due(
                    recipient=people["officer"],
                    obligation=area,
                    occasion="escalated",
                    subject=f"The return for {area.name} is {(today - due).days} days overdue",
                    url=f"/returns/{area.pk}/",
                    context={"message": "A provider has not sent their return."},
                )

    notifications.register_source(
        KIND, due_items, label="Test quarterly returns", offsets="14,7,1", escalate_after_days=7
    )
    yield people
    notifications.unregister_source(KIND)


def sent(kind: str = KIND) -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(kind=kind, status=Notification.Status.SENT).values_list("obligation_id", "occasion")
    )


# Selection -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "occasion"),
    [
        (15, None),
        (14, "due-in-14-days"),
        (13, "due-in-14-days"),
        (8, "due-in-14-days"),
        (7, "due-in-7-days"),
        (2, "due-in-7-days"),
        (1, "due-in-1-days"),
        (0, "due-in-1-days"),
        (-1, "overdue"),
        (-40, "overdue"),
    ],
)
def test_the_rule_names_the_nearest_offset_reached(db, days_left, occasion):
    rule = ReminderRule(kind="x", label="x", offsets="1, 14,7")
    assert rule.occasion_for(TODAY + timedelta(days=days_left), TODAY) == occasion


def test_the_sweep_selects_by_distance_to_the_due_date(source):
    by_distance = {days: make_obligation(TODAY + timedelta(days=days)) for days in (16, 15, 14, 13, 7, 1, -1)}
    result = run_sweep(TODAY)
    expected = {
        (str(by_distance[14].pk), "due-in-14-days"),
        (str(by_distance[13].pk), "due-in-14-days"),
        (str(by_distance[7].pk), "due-in-7-days"),
        (str(by_distance[1].pk), "due-in-1-days"),
        (str(by_distance[-1].pk), "overdue"),
    }
    assert set(sent()) == expected
    assert result.counts["sent"] == 5
    assert len(mail.outbox) == 5
    assert {message.to[0] for message in mail.outbox} == {source["provider"].email}


def test_over_a_whole_month_each_reminder_goes_once_in_order(source):
    """Daily sweeps from 20 days before the date to 10 days after it send 14, 7, 1, overdue and the
    escalation on day 7 overdue, each exactly once."""
    due = TODAY + timedelta(days=20)
    obligation = make_obligation(due)
    sent_on: dict[str, date] = {}
    for offset in range(31):
        day = TODAY + timedelta(days=offset)
        before = set(Notification.objects.values_list("occasion", flat=True))
        run_sweep(day)
        for occasion in set(Notification.objects.values_list("occasion", flat=True)) - before:
            sent_on[occasion] = day
    assert sent_on == {
        "due-in-14-days": due - timedelta(days=14),
        "due-in-7-days": due - timedelta(days=7),
        "due-in-1-days": due - timedelta(days=1),
        "overdue": due + timedelta(days=1),
        "escalated": due + timedelta(days=7),
    }
    assert len(mail.outbox) == 5
    assert Notification.objects.filter(obligation_id=str(obligation.pk)).count() == 5
    assert [m.to[0] for m in mail.outbox].count(source["officer"].email) == 1


def test_a_missed_day_is_caught_up_once(source):
    make_obligation(TODAY + timedelta(days=12))  # the sweep did not run when it was 14 days away
    run_sweep(TODAY)
    run_sweep(TODAY + timedelta(days=1))
    assert [occasion for _, occasion in sent()] == ["due-in-14-days"]
    assert "due in 12 days" in mail.outbox[0].subject


def test_escalation_waits_for_the_rule_and_can_be_switched_off(source):
    obligation = make_obligation(TODAY - timedelta(days=6))
    run_sweep(TODAY)
    assert sent() == [(str(obligation.pk), "overdue")]
    run_sweep(TODAY + timedelta(days=1))
    assert (str(obligation.pk), "escalated") in sent()
    assert Notification.objects.get(occasion="escalated").recipient == source["officer"]

    ReminderRule.objects.filter(kind=KIND).update(escalate_after_days=None)
    later = make_obligation(TODAY - timedelta(days=30))
    run_sweep(TODAY + timedelta(days=1))
    assert not Notification.objects.filter(obligation_id=str(later.pk), occasion="escalated").exists()


# Exactly once ---------------------------------------------------------------------------------------


def test_two_sweeps_send_one_email(source):
    make_obligation(TODAY + timedelta(days=7))
    first = run_sweep(TODAY)
    second = run_sweep(TODAY)
    assert len(mail.outbox) == 1
    assert first.counts["sent"] == 1
    assert second.counts["sent"] == 0 and second.counts["already_claimed"] == 1
    assert Notification.objects.count() == 1


def test_the_database_refuses_a_second_claim_of_the_same_reminder(source):
    obligation = make_obligation(TODAY + timedelta(days=7))
    run_sweep(TODAY)
    claim = Notification.objects.get()
    with pytest.raises(IntegrityError):
        Notification.objects.create(
            recipient=claim.recipient,
            kind=claim.kind,
            obligation_type=claim.obligation_type,
            obligation_id=str(obligation.pk),
            occasion=claim.occasion,
            subject="again",
            body_text="again",
            url="/",
        )


def test_a_stale_claim_is_sent_by_the_next_sweep_and_a_fresh_one_is_left_alone(source, settings):
    obligation = make_obligation(TODAY + timedelta(days=7))
    run_sweep(TODAY)
    mail.outbox.clear()
    # As if the worker had died after claiming and before sending:
    Notification.objects.update(
        status=Notification.Status.CLAIMED,
        sent_at=None,
        claimed_at=timezone.now() - settings.EMAIL_CLAIM_TIMEOUT + timedelta(minutes=1),
    )
    run_sweep(TODAY)
    assert mail.outbox == []  # still within the timeout: the first worker may be sending right now

    Notification.objects.update(claimed_at=timezone.now() - settings.EMAIL_CLAIM_TIMEOUT - timedelta(seconds=1))
    result = run_sweep(TODAY)
    claim = Notification.objects.get()
    assert result.counts["retried"] == 1
    assert claim.status == Notification.Status.SENT and claim.attempts == 2
    assert len(mail.outbox) == 1
    assert obligation.name in mail.outbox[0].subject


def test_a_stale_claim_is_given_up_after_the_last_attempt(source, settings):
    make_obligation(TODAY + timedelta(days=7))
    run_sweep(TODAY)
    mail.outbox.clear()
    Notification.objects.update(
        status=Notification.Status.CLAIMED,
        attempts=settings.EMAIL_MAX_ATTEMPTS,
        claimed_at=timezone.now() - timedelta(days=1),
    )
    result = run_sweep(TODAY)
    claim = Notification.objects.get()
    assert claim.status == Notification.Status.FAILED and "Gave up" in claim.last_error
    assert result.counts["given_up"] == 1
    assert mail.outbox == []


class RefusingBackend(BaseEmailBackend):
    """A mail server that drops every connection."""

    def send_messages(self, email_messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


def test_failed_sends_are_retried_a_bounded_number_of_times(source, settings):
    settings.EMAIL_RETRY_DELAY_SECONDS = 0  # no backoff, so that each sweep may try again
    settings.EMAIL_BACKEND = "tests.commissioning.test_notifications.RefusingBackend"
    make_obligation(TODAY + timedelta(days=7))
    for _ in range(settings.EMAIL_MAX_ATTEMPTS + 2):
        run_sweep(TODAY)
    claim = Notification.objects.get()
    assert claim.status == Notification.Status.FAILED
    assert claim.attempts == settings.EMAIL_MAX_ATTEMPTS
    assert claim.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_sweep(TODAY)
    assert mail.outbox == []  # given up: it stays visible as failed in the admin's reminder log
    assert Notification.objects.get().attempts == settings.EMAIL_MAX_ATTEMPTS


def test_a_failed_send_goes_out_when_the_mail_server_recovers(source, settings):
    settings.EMAIL_BACKEND = "tests.commissioning.test_notifications.RefusingBackend"
    make_obligation(TODAY + timedelta(days=7))
    assert run_sweep(TODAY).counts["failed"] == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert retry_emails.delay().get() == {}  # the backoff has not passed yet: nothing is tried
    Notification.objects.update(next_attempt_at=timezone.now())
    counts = retry_emails.delay().get()
    assert counts["retried"] == 1 and counts["sent"] == 1
    claim = Notification.objects.get()
    assert claim.status == Notification.Status.SENT and claim.attempts == 2 and claim.last_error == ""
    assert len(mail.outbox) == 1


# Rules officers control -------------------------------------------------------------------------------


def test_offsets_changed_by_an_officer_in_the_admin_take_effect(source, client):
    obligation = make_obligation(TODAY + timedelta(days=20))
    run_sweep(TODAY)
    assert sent() == []
    rule = ReminderRule.objects.get(kind=KIND)
    assert rule.offset_days == [14, 7, 1]

    officer = source["officer"]
    client.force_login(officer)
    response = client.post(
        f"/admin/commissioning/reminderrule/{rule.pk}/change/",
        {"label": rule.label, "offsets": "21,3", "remind_when_overdue": "on", "enabled": "on"},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.offset_days == [21, 3] and rule.escalate_after_days is None
    event = AuditEvent.objects.get(action="reminders.rule_changed")
    assert event.actor == officer and "offsets" in event.data["changed"]

    run_sweep(TODAY)
    assert sent() == [(str(obligation.pk), "due-in-21-days")]


def test_the_admin_refuses_offsets_that_are_not_days(source, client):
    run_sweep(TODAY)
    rule = ReminderRule.objects.get(kind=KIND)
    client.force_login(source["officer"])
    response = client.post(
        f"/admin/commissioning/reminderrule/{rule.pk}/change/",
        {"label": rule.label, "offsets": "two weeks", "enabled": "on"},
    )
    assert response.status_code == 200
    assert "Enter whole numbers of days" in response.content.decode()
    rule.refresh_from_db()
    assert rule.offsets == "14,7,1"


def test_a_disabled_rule_sends_nothing(source):
    make_obligation(TODAY + timedelta(days=1))
    notifications.rule_for(KIND)
    ReminderRule.objects.filter(kind=KIND).update(enabled=False)
    result = run_sweep(TODAY)
    assert result.counts["sources_disabled"] == 1
    assert mail.outbox == [] and not Notification.objects.exists()


def test_inactive_people_are_not_emailed(source):
    source["provider"].is_active = False
    source["provider"].save(update_fields=["is_active"])
    make_obligation(TODAY + timedelta(days=1))
    result = run_sweep(TODAY)
    assert result.counts["skipped_inactive"] == 1
    assert mail.outbox == []


def test_one_broken_source_does_not_stop_the_others(source):
    def broken(today):
        raise RuntimeError("bug in a source")
        yield  # pragma: no cover

    notifications.register_source("broken", broken)
    try:
        make_obligation(TODAY + timedelta(days=1))
        result = run_sweep(TODAY)
    finally:
        notifications.unregister_source("broken")
    assert result.counts["source_errors"] == 1
    assert result.counts["sent"] == 1


# The email ------------------------------------------------------------------------------------------


def test_the_email_has_a_plain_text_and_an_html_part_with_the_absolute_link(source):
    obligation = make_obligation(TODAY + timedelta(days=7))
    run_sweep(TODAY)
    message = mail.outbox[0]
    link = f"http://testserver/returns/{obligation.pk}/"
    assert message.subject == f"Your return for {obligation.name} is due in 7 days"
    assert f"Dear {source['provider'].full_name}," in message.body
    assert "is due by 5pm on 24 July 2025" in message.body
    assert "Complete your return:\n" + link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html and '<html lang="en-GB">' in html
    assert message.extra_headers["X-Portal-Notification"] == str(Notification.objects.get().pk)


def test_when_phrase_is_plain_english():
    assert [when_phrase(TODAY + timedelta(days=d), TODAY) for d in (7, 1, 0, -1, -3)] == [
        "in 7 days",
        "tomorrow",
        "today",
        "yesterday",
        "3 days ago",
    ]


# Entry points -----------------------------------------------------------------------------------------


def test_the_management_command_sweeps_a_given_date(source, capsys):
    make_obligation(date(2025, 8, 1))
    call_command("send_reminders", "--date", "2025-07-31")
    assert "Reminder sweep for 31 July 2025" in capsys.readouterr().out
    assert sent()[0][1] == "due-in-1-days"
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "31/07/2025")


def test_the_task_runs_the_sweep_and_beat_runs_it_daily_at_the_configured_time(source, settings):
    make_obligation(TODAY + timedelta(days=7))
    assert send_reminders.delay(TODAY.isoformat()).get()["sent"] == 1
    entry = settings.CELERY_BEAT_SCHEDULE["send-reminders"]
    assert entry["task"] == "commissioning.send_reminders"
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"].hour == {settings.REMINDER_SWEEP_TIME.hour}
    assert entry["schedule"].minute == {settings.REMINDER_SWEEP_TIME.minute}
    assert send_reminders.acks_late and send_reminders.max_retries == 3


# The notifications page and the admin log --------------------------------------------------------------


def test_people_see_only_their_own_notifications_newest_first(source, client):
    make_obligation(TODAY + timedelta(days=7))
    make_obligation(TODAY - timedelta(days=9))
    run_sweep(TODAY)
    Notification.objects.filter(occasion="overdue").update(created_at=timezone.now() + timedelta(minutes=1))
    client.force_login(source["provider"])
    html = client.get("/notifications/").content.decode()
    assert html.count("<h1") == 1 and "Your notifications" in html
    assert 'class="govuk-breadcrumbs"' in html
    subjects = re.findall(r'<a class="govuk-link" href="/notifications/\d+/">([^<]+)</a>', html)
    assert len(subjects) == 2 and "9 days ago" in subjects[0] and "in 7 days" in subjects[1]
    assert "days overdue" not in html  # the officer's escalation is not theirs

    client.force_login(source["officer"])
    html = client.get("/notifications/").content.decode()
    assert "9 days overdue" in html and "due in 7 days" not in html


def test_the_notifications_page_needs_a_sign_in(client):
    response = client.get("/notifications/")
    assert response.status_code == 302 and response.url == "/sign-in/?next=/notifications/"


def test_the_notifications_page_makes_the_same_queries_however_many_there_are(source, client):
    client.force_login(source["provider"])
    make_obligation(TODAY + timedelta(days=7))
    run_sweep(TODAY)
    client.get("/notifications/")  # warm the session and content type caches
    with CaptureQueriesContext(connection) as few:
        client.get("/notifications/")
    for days in range(-30, 0):
        make_obligation(TODAY + timedelta(days=days))
    run_sweep(TODAY)
    assert Notification.objects.filter(recipient=source["provider"]).count() == 31
    with CaptureQueriesContext(connection) as many:
        html = client.get("/notifications/").content.decode()
    assert html.count('<tr class="govuk-table__row') == 32
    assert len(many.captured_queries) == len(few.captured_queries)


def test_officers_read_the_reminder_log_but_cannot_write_it(source, client):
    make_obligation(TODAY + timedelta(days=7))
    run_sweep(TODAY)
    client.force_login(source["officer"])
    listing = client.get("/admin/commissioning/notification/?status__exact=sent")
    assert listing.status_code == 200 and "due in 7 days" in listing.content.decode()
    assert client.get("/admin/commissioning/notification/add/").status_code == 403
    assert client.get("/admin/commissioning/reminderrule/add/").status_code == 403
    client.force_login(source["provider"])
    assert client.get("/admin/commissioning/notification/").status_code == 302


# A real worker, killed with SIGKILL in the middle of sending ----------------------------------------

KILL_KIND = "test-kill"
MAIL_DIR = "PORTAL_TEST_MAIL_DIR"


class StallingFileBackend(FileEmailBackend):
    """Writes each message to a file in $PORTAL_TEST_MAIL_DIR (so the test can count what left, across
    processes), and hangs once, before writing, on the message to the "stall" recipient: the moment the
    test kills the worker, with the reminder claimed and not sent."""

    def __init__(self, **kwargs):
        kwargs["file_path"] = os.environ[MAIL_DIR]
        super().__init__(**kwargs)

    def send_messages(self, email_messages):
        marker = Path(os.environ[MAIL_DIR]) / "stalled.marker"
        if any("stall" in message.to[0] for message in email_messages) and not marker.exists():
            marker.touch()
            time.sleep(300)
        return super().send_messages(email_messages)


def _kill_test_source(today: date):
    for user in User.objects.filter(email__startswith="kill-").order_by("email"):
        yield Due(
            recipient=user,
            obligation=user,
            occasion="due-in-1-days",
            subject="Your return is due tomorrow",
            url="/notifications/",
            context={"message": "Your quarterly return is due tomorrow."},
        )


if os.environ.get(MAIL_DIR):  # only inside the worker that the test below starts
    notifications.register_source(KILL_KIND, _kill_test_source, label="Kill test", offsets="1")


def _messages_in(mail_dir: Path) -> Counter:
    recipients: Counter = Counter()
    for log in mail_dir.glob("*.log"):
        recipients.update(re.findall(r"^To: (\S+)$", log.read_text(), flags=re.MULTILINE))
    return recipients


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"Timed out waiting for {what}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_sending_loses_nothing_and_sends_nothing_twice(celery_workers, tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    emails = [f"kill-{n:02d}@example.org" for n in range(25)]
    emails[12] = "kill-12-stall@example.org"
    for email in emails:
        make_user(User.Role.PROVIDER, email=email)
    queue = f"kill-test-{uuid.uuid4().hex[:8]}"
    worker_env = {
        # The production settings, so EMAIL_BACKEND comes from the environment as it does live.
        "DJANGO_SETTINGS_MODULE": "commissioning.settings.production",
        "SECRET_KEY": "kill-test-secret-key-" + uuid.uuid4().hex,
        "TENDER_SEALING_KEY": "worker:" + "A" * 43 + "=",
        "ALLOWED_HOSTS": "localhost",
        "EMAIL_BACKEND": "tests.commissioning.test_notifications.StallingFileBackend",
        MAIL_DIR: str(mail_dir),
        "EMAIL_CLAIM_TIMEOUT_SECONDS": "2",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    include = ["tests.commissioning.test_notifications"]

    worker = celery_workers(queue=queue, env=worker_env, include=include)
    send_reminders.apply_async(args=[TODAY.isoformat()], queue=queue)
    _wait_for((mail_dir / "stalled.marker").exists, 60, "the worker to reach the stalling message")
    stalled = Notification.objects.get(recipient__email="kill-12-stall@example.org")
    assert stalled.status == Notification.Status.CLAIMED
    worker.kill()

    assert Notification.objects.filter(status=Notification.Status.SENT).count() == 12
    assert sum(_messages_in(mail_dir).values()) == 12

    celery_workers(queue=queue, env=worker_env, include=include)
    time.sleep(2.5)  # the killed worker's claim is now older than the claim timeout
    result = send_reminders.apply_async(args=[TODAY.isoformat()], queue=queue, ignore_result=False).get(timeout=120)
    assert result["retried"] == 1
    # And once more, as beat would tomorrow: nothing is sent twice.
    again = send_reminders.apply_async(args=[TODAY.isoformat()], queue=queue, ignore_result=False).get(timeout=120)
    assert again.get("sent", 0) == 0

    assert _messages_in(mail_dir) == Counter({email: 1 for email in emails})
    assert Notification.objects.filter(kind=KILL_KIND, status=Notification.Status.SENT).count() == 25
    stalled.refresh_from_db()
    assert stalled.attempts == 2 and stalled.status == Notification.Status.SENT
