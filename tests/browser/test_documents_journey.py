"""An officer requests the audit trail extract, watches it become ready without reloading, and downloads
it; the request form (also with errors), the status page and the notifications page pass axe-core."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from playwright.sync_api import expect

from commissioning.celery import app as celery_app
from commissioning.models import GeneratedDocument, Notification, User
from commissioning.tasks import generate_document
from tests.browser.conftest import assert_accessible, assert_page_structure, sign_in


@pytest.fixture
def held_queue(settings):
    """Queue document tasks where no worker takes them, so the test sees "Queued" and then plays the
    worker itself. (Without this the eager test settings would produce the PDF inside the request.)"""
    settings.DOCUMENT_QUEUE = f"browser-held-{uuid.uuid4().hex[:8]}"
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield settings.DOCUMENT_QUEUE
    celery_app.conf.task_always_eager = previous
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_delete(settings.DOCUMENT_QUEUE)


def test_officer_requests_watches_and_downloads_the_audit_trail_extract(page, demo, held_queue):
    sign_in(page, "officer@demo.test")
    page.get_by_role("link", name="Documents").click()
    expect(page.locator("h1")).to_have_text("Your documents")
    assert_accessible(page)
    page.get_by_role("link", name="Request an audit trail extract").click()
    expect(page.locator("h1")).to_have_text("Request an audit trail extract")
    assert_page_structure(page)
    assert_accessible(page)

    # Bad input: explained in the summary and next to the field, and nothing typed is lost.
    start = page.get_by_role("group", name="Start date")
    start.get_by_label("Day").fill("31")
    start.get_by_label("Month").fill("2")
    start.get_by_label("Year").fill("2025")
    page.get_by_role("button", name="Request the extract").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("The start date must be a real date")
    expect(summary).to_contain_text("Enter the end date")
    assert page.title().startswith("Error: ")
    expect(page.get_by_role("group", name="Start date").get_by_label("Day")).to_have_value("31")
    assert_accessible(page)
    summary.get_by_role("link", name="The start date must be a real date").click()
    expect(page.get_by_role("group", name="Start date").get_by_label("Day")).to_be_focused()

    today = timezone.localdate()
    start = page.get_by_role("group", name="Start date")
    start.get_by_label("Day").fill("1")
    start.get_by_label("Month").fill("1")
    end = page.get_by_role("group", name="End date")
    end.get_by_label("Day").fill(str(today.day))
    end.get_by_label("Month").fill(str(today.month))
    end.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Request the extract").click()

    # The status page: queued, with a refresh link for browsers without JavaScript.
    expect(page.locator("h1")).to_contain_text("Audit trail extract, 1 January 2025 to")
    expect(page.locator("#document-status-tag")).to_have_text("Queued")
    expect(page.get_by_role("link", name="Refresh this page")).to_be_visible()
    assert_page_structure(page)
    assert_accessible(page)

    # The worker's turn: the page follows by itself, announcing the change in its live region.
    document = GeneratedDocument.objects.get(requested_by__email="officer@demo.test")
    assert document.status == GeneratedDocument.Status.QUEUED
    generate_document.apply(args=[document.pk])
    expect(page.locator("#document-status-tag")).to_have_text("Ready", timeout=15_000)
    expect(page.locator("#document-status-message")).to_contain_text("Your document is ready to download")
    expect(page.get_by_role("link", name="Refresh this page")).to_have_count(0)
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith("audit-trail-extract-1-january-2025-to-")
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_notifications_page_is_accessible(page, demo):
    officer = User.objects.get(email="officer@demo.test")
    for n, status in enumerate([Notification.Status.SENT, Notification.Status.FAILED]):
        Notification.objects.create(
            recipient=officer,
            kind="test-returns",
            obligation_type=ContentType.objects.get_for_model(User),
            obligation_id=str(n),
            occasion="overdue",
            subject=f"The return for contract {n} is 8 days overdue",
            body_text="A provider has not sent their return.",
            url="/officer/",
            status=status,
            attempts=1,
        )
    sign_in(page, "officer@demo.test")
    page.get_by_role("link", name="Notifications").click()
    expect(page.locator("h1")).to_have_text("Your notifications")
    expect(page.get_by_role("link", name="The return for contract 1 is 8 days overdue")).to_be_visible()
    expect(page.locator(".govuk-tag--red")).to_have_text("Not sent")
    assert_page_structure(page)
    assert_accessible(page)


def test_a_document_another_user_may_not_see_is_not_found(page, demo):
    officer = User.objects.get(email="officer@demo.test")
    document = GeneratedDocument.objects.create(
        kind="audit-trail-extract",
        title="Audit trail extract, 1 January 2025 to 2 January 2025",
        params={"date_from": "2025-01-01", "date_to": "2025-01-02"},
        requested_by=officer,
    )
    sign_in(page, "provider@demo.test")
    response = page.goto(f"/documents/{document.pk}/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
