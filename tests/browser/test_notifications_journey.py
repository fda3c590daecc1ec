"""A provider finds every e-mail we sent them on their notifications page: unread ones marked, each opened
to read it (a page view changes nothing), then marked as read with a button; the list and a notification
pass axe-core."""

from __future__ import annotations

from django.db import transaction
from playwright.sync_api import expect

from commissioning.email import send_after_commit
from commissioning.models import Notification, User
from tests.browser.conftest import assert_accessible, assert_page_structure, sign_in


def test_a_provider_reads_their_emails_and_marks_them_read(page, demo):
    provider = User.objects.get(email="provider@demo.test")
    # Signed out, they ask for a password reset: an e-mail like any other.
    page.goto("/password-reset/")
    page.get_by_label("Email address").fill(provider.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    with transaction.atomic():
        send_after_commit(
            to=[provider.email],
            subject="Accepted: your WMOPCC-IDVA-01 return for 2025/26 Q1",
            template="monitoring_return",
            context={
                "subject": "Accepted: your WMOPCC-IDVA-01 return for 2025/26 Q1",
                "message": "The commissioning team has accepted your quarterly return.",
                "details": [],
                "url": "/provider/",
            },
        )

    sign_in(page, provider.email)
    page.get_by_role("link", name="Notifications").click()
    expect(page.locator("h1")).to_have_text("Your notifications")
    expect(page.locator("#unread-count")).to_contain_text("2 unread")
    expect(page.locator("tbody .govuk-tag--blue")).to_have_count(2)
    assert_page_structure(page)
    assert_accessible(page)

    page.get_by_role("link", name="Accepted: your WMOPCC-IDVA-01 return for 2025/26 Q1").click()
    expect(page.locator("h1")).to_have_text("Accepted: your WMOPCC-IDVA-01 return for 2025/26 Q1")
    expect(page.locator(".portal-email-text")).to_contain_text("has accepted your quarterly return")
    expect(page.get_by_role("link", name="Go to the page")).to_have_attribute("href", "/provider/")
    assert_page_structure(page)
    assert_accessible(page)
    assert Notification.objects.get(subject__startswith="Accepted").read_at is None  # opening wrote nothing
    page.get_by_role("button", name="Mark as read").click()
    expect(page.locator(".govuk-summary-list")).not_to_contain_text("Unread")
    assert Notification.objects.get(subject__startswith="Accepted").read_at is not None

    page.get_by_role("link", name="See all your notifications").click()
    expect(page.locator("#unread-count")).to_contain_text("1 unread")
    page.get_by_role("link", name="Reset your password", exact=False).click()
    expect(page.get_by_text("we do not show the text of this email")).to_be_visible()
    page.get_by_role("link", name="Your notifications", exact=True).click()
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator("#unread-count")).to_have_text("You have read all your notifications.")
    expect(page.get_by_role("button", name="Mark as read", exact=False)).to_have_count(0)
    assert_accessible(page)
