"""The notifications page: every e-mail a user was sent, newest first, unread ones marked; reading a page
changes nothing, marking as read is a POST; nobody reaches anyone else's; a fixed number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commissioning.email import record_email, send_after_commit
from commissioning.models import Notification, User
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def email_to(user: User, subject: str, *, url: str = "/provider/", minutes_ago: int = 0) -> Notification:
    row = send_after_commit(
        to=[user.email],
        subject=subject,
        template="award/notice",
        context={"subject": subject, "message": f"About {subject}.", "url": url},
    )[0]
    Notification.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return row


def subjects_on(html: str) -> list[str]:
    return re.findall(r'<a class="govuk-link" href="/notifications/\d+/">([^<]+)</a>', html)


@pytest.fixture
def provider(db) -> User:
    return make_user(User.Role.PROVIDER)


def test_every_email_is_listed_newest_first_with_the_unread_ones_marked(client, provider):
    email_to(provider, "Application received: the framework", minutes_ago=30)
    read = email_to(provider, "Response received: the competition", minutes_ago=20)
    email_to(provider, "Return accepted: Q1", minutes_ago=10)
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    email_to(make_user(User.Role.PROVIDER), "Someone else's e-mail")

    client.force_login(provider)
    html = client.get("/notifications/").content.decode()
    assert subjects_on(html) == [
        "Return accepted: Q1",
        "Response received: the competition",
        "Application received: the framework",
    ]
    assert "Someone else" not in html
    assert html.count('<strong class="govuk-tag govuk-tag--blue">Unread</strong>') == 2
    assert "You have <strong>2 unread</strong> notifications." in html
    assert html.count(">Mark as read<") == 2 and "Mark all as read" in html
    assert html.count("<h1") == 1 and 'class="govuk-breadcrumbs"' in html


def test_opening_a_notification_shows_the_email_and_changes_nothing(client, provider):
    row = email_to(provider, "Return accepted: Q1", url="/provider/returns/")
    client.force_login(provider)
    html = client.get(f"/notifications/{row.pk}/").content.decode()
    assert "<h1" in html and "Return accepted: Q1" in html
    assert "About Return accepted: Q1." in html  # the text of the e-mail
    assert 'href="/provider/returns/"' in html and "Go to the page" in html
    assert "Unread" in html
    row.refresh_from_db()
    assert row.read_at is None  # a GET writes nothing


def test_marking_as_read_is_a_post_that_returns_to_the_page_it_came_from(client, provider):
    row = email_to(provider, "Return accepted: Q1")
    client.force_login(provider)
    assert client.get(f"/notifications/{row.pk}/read/").status_code == 405
    row.refresh_from_db()
    assert row.read_at is None

    response = client.post(f"/notifications/{row.pk}/read/", {"next": "/notifications/?page=1"})
    assert response.status_code == 302 and response.url == "/notifications/?page=1"
    row.refresh_from_db()
    first_read = row.read_at
    assert first_read is not None
    html = client.get("/notifications/").content.decode()
    assert "Unread</strong>" not in html and "You have read all your notifications." in html

    # Again: nothing changes, and a next that leaves the site is not followed.
    response = client.post(f"/notifications/{row.pk}/read/", {"next": "https://evil.example/"})
    assert response.url == f"/notifications/{row.pk}/"
    row.refresh_from_db()
    assert row.read_at == first_read


def test_mark_all_as_read_marks_only_ones_own(client, provider):
    email_to(provider, "One")
    email_to(provider, "Two")
    theirs = email_to(make_user(User.Role.PROVIDER), "Theirs")
    client.force_login(provider)
    response = client.post("/notifications/read/", follow=True)
    assert "2 notifications marked as read." in response.content.decode()
    assert not Notification.objects.filter(recipient=provider, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get("/notifications/read/").status_code == 405


def test_another_users_notification_is_not_found_and_cannot_be_marked(client, provider):
    row = email_to(provider, "Return accepted: Q1")
    for other in (make_user(User.Role.PROVIDER), make_user(User.Role.OFFICER)):
        client.force_login(other)
        assert client.get(f"/notifications/{row.pk}/").status_code == 404
        assert client.post(f"/notifications/{row.pk}/read/").status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_signed_out_visitors_are_sent_to_sign_in(client, provider):
    row = email_to(provider, "Return accepted: Q1")
    for url in ("/notifications/", f"/notifications/{row.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url == f"/sign-in/?next={url}"
    response = client.post(f"/notifications/{row.pk}/read/")
    assert response.status_code == 302 and response.url.startswith("/sign-in/")
    row.refresh_from_db()
    assert row.read_at is None


def test_a_password_reset_is_listed_but_its_link_is_never_shown(client, provider):
    row = record_email(
        address=provider.email,
        recipient=provider,
        kind="password-reset",
        subject="Reset your password",
        body_text="Open https://testserver/password-reset/MQ/secret-token/",
        confidential=True,
    )
    client.force_login(provider)
    assert subjects_on(client.get("/notifications/").content.decode()) == ["Reset your password"]
    html = client.get(f"/notifications/{row.pk}/").content.decode()
    assert "secret-token" not in html and "we do not show the text of this email" in html


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_list_is_paginated_and_makes_the_same_queries_with_5_or_120_notifications(client, provider):
    client.force_login(provider)
    for n in range(5):
        email_to(provider, f"Notification {n}", minutes_ago=1000 - n)
    client.get("/notifications/")  # warm the session and content type caches
    few = _queries(client, "/notifications/")
    for n in range(5, 120):
        email_to(provider, f"Notification {n}", minutes_ago=1000 - n)
    many = _queries(client, "/notifications/")
    last_page = _queries(client, "/notifications/?page=3")
    assert few == many == last_page
    html = client.get("/notifications/").content.decode()
    assert len(subjects_on(html)) == 50 and subjects_on(html)[0] == "Notification 119"
    assert "Page 1 of 3 (120 in all)" in html
    assert subjects_on(client.get("/notifications/?page=3").content.decode())[-1] == "Notification 0"
