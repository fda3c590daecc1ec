"""Generated documents: request, production by the task (retries, failure with a readable reason, retry
service), the status page and its JSON twin, download permissions, the audit trail extract and its
request form, and a real PDF (it opens, has the pages it says, and is tagged)."""

from __future__ import annotations

import gc
import re
import subprocess
import time
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from commissioning import documents, reports
from commissioning.audit import record, seal_pending
from commissioning.models import AuditEvent, GeneratedDocument, User
from commissioning.rules import is_officer, is_provider
from commissioning.tasks import generate_document
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def audit_params(days: int = 0) -> dict[str, str]:
    return {"date_from": (TODAY() - timedelta(days=days)).isoformat(), "date_to": TODAY().isoformat()}


def pdf_info(path: Path) -> dict[str, str]:
    output = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pairs = (line.split(":", 1) for line in output.splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF with its compressed streams (object streams included) inflated, to read its catalog."""
    inflated = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.DOTALL):
        try:
            inflated.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(inflated)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout


@pytest.fixture
def produced(django_capture_on_commit_callbacks):
    """Request a document and run the queued task, as the worker would after the commit."""

    def request(**kwargs) -> GeneratedDocument:
        with django_capture_on_commit_callbacks(execute=True):
            document = documents.request_document(**kwargs)
        document.refresh_from_db()
        return document

    return request


@pytest.fixture
def test_reports():
    """Reports of the test's own: one for providers about their own supplier, one that fails a given
    number of times, one whose layout is missing."""
    failures = {"left": 0}

    def flaky_context(document):
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("the data source timed out")
        return {}

    def own_supplier(user, target):
        return bool(is_provider(user) and target == user.supplier_membership.supplier)

    reports.register_report(
        "test-supplier-report",
        title=lambda target, params: f"Supplier report for {target}",
        template="pdf/base.html",
        build_context=lambda document: {},
        can_request=own_supplier,
        can_view=lambda user, target: bool(is_officer(user) or own_supplier(user, target)),
    )
    reports.register_report(
        "test-provider-note",
        title="Provider note",
        template="pdf/base.html",
        build_context=lambda document: {},
        can_request=lambda user, target: bool(is_provider(user)),
        can_view=lambda user, target: bool(is_officer(user)),
    )
    reports.register_report(
        "test-flaky",
        title="Flaky report",
        template="pdf/base.html",
        build_context=flaky_context,
        can_request=lambda user, target: bool(is_officer(user)),
        can_view=lambda user, target: bool(is_officer(user)),
    )
    reports.register_report(
        "test-missing-layout",
        title="Report without a layout",
        template="commissioning/pdf/no-such-template.html",
        build_context=lambda document: {},
        can_request=lambda user, target: bool(is_officer(user)),
        can_view=lambda user, target: bool(is_officer(user)),
    )
    yield failures
    for kind in ("test-supplier-report", "test-provider-note", "test-flaky", "test-missing-layout"):
        reports.unregister_report(kind)


# Lifecycle -----------------------------------------------------------------------------------------


def test_a_request_is_queued_audited_and_produced_after_the_commit(officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        document = documents.request_document(kind=reports.AUDIT_EXTRACT, params=audit_params(), by=officer)
    assert document.status == GeneratedDocument.Status.QUEUED
    # Nothing is queued until the row is committed (the other callback seals the audit event).
    assert len(callbacks) == 2
    event = AuditEvent.objects.get(action="document.requested")
    assert event.actor == officer and event.data["params"] == audit_params()

    for callback in callbacks:
        callback()
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.READY
    assert document.attempts == 1 and document.page_count == 1
    assert document.started_at <= document.finished_at
    assert document.file.name.startswith("documents/") and document.file.name.endswith(".pdf")
    assert document.size_bytes == document.file.size


def test_a_duplicate_delivery_of_a_finished_document_does_nothing(officer, produced):
    document = produced(kind=reports.AUDIT_EXTRACT, params=audit_params(), by=officer)
    assert generate_document.delay(document.pk).get() == "skipped"
    document.refresh_from_db()
    assert document.attempts == 1 and document.status == GeneratedDocument.Status.READY


def test_a_failing_report_is_retried_then_marked_failed_with_a_readable_reason(
    officer, produced, test_reports, settings
):
    test_reports["left"] = 100
    document = produced(kind="test-flaky", by=officer)
    assert document.status == GeneratedDocument.Status.FAILED
    assert document.attempts == settings.DOCUMENT_MAX_RETRIES + 1
    assert document.failure_reason.startswith("Something went wrong while producing the PDF.")
    assert f"We tried {settings.DOCUMENT_MAX_RETRIES + 1} times" in document.failure_reason
    assert document.error_detail == "RuntimeError: the data source timed out"
    assert not document.file


def test_a_report_that_fails_twice_is_ready_on_the_third_attempt(officer, produced, test_reports):
    test_reports["left"] = 2
    document = produced(kind="test-flaky", by=officer)
    assert document.status == GeneratedDocument.Status.READY
    assert document.attempts == 3 and document.failure_reason == ""


def test_a_missing_layout_is_explained(officer, produced, test_reports):
    document = produced(kind="test-missing-layout", by=officer)
    assert document.status == GeneratedDocument.Status.FAILED
    assert document.failure_reason.startswith("The layout of this document is missing or broken.")


def test_the_retry_service_queues_a_failed_document_again(
    officer, produced, test_reports, django_capture_on_commit_callbacks
):
    test_reports["left"] = 100
    document = produced(kind="test-flaky", by=officer)
    test_reports["left"] = 0
    with django_capture_on_commit_callbacks(execute=True):
        documents.retry_document(document=document, by=officer)
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.READY and document.failure_reason == ""
    assert AuditEvent.objects.filter(action="document.retry_requested", actor=officer).count() == 1
    with pytest.raises(documents.DocumentStateError):
        documents.retry_document(document=document, by=officer)


def test_only_someone_who_may_request_a_report_can_request_or_retry_it(provider, officer, produced, test_reports):
    with pytest.raises(PermissionDenied):
        documents.request_document(kind=reports.AUDIT_EXTRACT, params=audit_params(), by=provider)
    test_reports["left"] = 100
    failed = produced(kind="test-flaky", by=officer)
    with pytest.raises(PermissionDenied):
        documents.retry_document(document=failed, by=provider)
    with pytest.raises(reports.UnknownReport):
        documents.request_document(kind="no-such-report", by=officer)
    assert not GeneratedDocument.objects.exclude(pk=failed.pk).exists()


# The real PDF ----------------------------------------------------------------------------------------


def test_the_audit_extract_is_a_real_tagged_a4_pdf_with_page_numbers(officer, produced, tmp_path):
    for n in range(90):
        record("test.event", by=officer, data={"n": n})
    document = produced(kind=reports.AUDIT_EXTRACT, params=audit_params(days=1), by=officer)
    path = Path(document.file.path)
    assert path.read_bytes()[:5] == b"%PDF-"
    info = pdf_info(path)
    assert int(info["Pages"]) == document.page_count > 1
    assert info["Title"] == document.title
    assert info["Tagged"] == "yes"
    assert info["Page size"].startswith("595.276 x 841.89")  # A4
    text = pdf_text(path)
    assert f"Page 1 of {document.page_count}" in text
    assert f"Page {document.page_count} of {document.page_count}" in text
    generated = timezone.localtime(document.started_at)
    # One time format, GOV.UK style: "Generated at 5:07am on 6 December 2026 (UK time)".
    when = r"(\d{1,2}(:\d\d)?(am|pm)|midday|midnight)"
    assert re.search(rf"Generated at {when} on {generated.day} {generated:%B %Y} \(UK time\)", text)
    assert "The whole audit trail is intact" in text
    assert text.count("test.event") == 90
    assert b"/Lang (en-GB)" in pdf_objects(path.read_bytes())

    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path), str(png)], check=True)
    assert [p.name for p in tmp_path.glob("page*.png")] in (["page-1.png"], ["page-01.png"], ["page-001.png"])


def test_the_audit_extract_lists_only_the_period_and_reports_a_broken_chain(officer, produced):
    old = record("test.old", by=officer)
    record("test.recent", by=officer)
    seal_pending()
    with connection.cursor() as cursor:  # the trail refuses updates through the ORM: tamper in SQL
        cursor.execute(
            "UPDATE commissioning_auditevent SET occurred_at = %s, action = %s WHERE id = %s",
            [timezone.now() - timedelta(days=40), "test.tampered", old.pk],
        )
    document = produced(kind=reports.AUDIT_EXTRACT, params=audit_params(days=7), by=officer)
    text = pdf_text(Path(document.file.path))
    assert "test.recent" in text and "test.tampered" not in text
    assert f"The audit trail is broken at event {old.pk}" in text


def test_long_action_names_may_wrap_at_their_dots_and_underscores():
    # A zero-width space after each: what WeasyPrint makes of a <wbr>, without an element for each.
    assert reports._breakable("evaluation.conflict_declared") == "evaluation.\u200bconflict_\u200bdeclared"


def test_the_collector_runs_again_after_each_document_even_one_that_failed(officer, produced, test_reports):
    assert gc.isenabled()
    assert produced(kind=reports.AUDIT_EXTRACT, params=audit_params(), by=officer).page_count == 1
    assert gc.isenabled()
    test_reports["left"] = 100
    assert produced(kind="test-flaky", by=officer).status == GeneratedDocument.Status.FAILED
    assert gc.isenabled()


def test_cached_page_references_are_pydyf_s_own_and_follow_new_pages():
    import pydyf

    documents._cache_page_references()
    documents._cache_page_references()  # a second time changes nothing
    pdf = pydyf.PDF()
    for _ in range(3):
        pdf.add_page(pydyf.Dictionary())
        assert pdf.page_references == tuple(f"{number} 0 R".encode() for number in pdf.pages["Kids"][::3])
    assert len(pdf.page_references) == 3


def test_the_title_names_the_period(officer, produced):
    document = produced(
        kind=reports.AUDIT_EXTRACT, params={"date_from": "2025-04-01", "date_to": "2025-06-30"}, by=officer
    )
    assert document.title == "Audit trail extract, 1 April 2025 to 30 June 2025"


# Views -----------------------------------------------------------------------------------------------


def test_the_owner_and_other_officers_download_it_as_an_attachment(client, officer, produced):
    document = produced(kind=reports.AUDIT_EXTRACT, params=audit_params(), by=officer)
    for user in (officer, make_user(User.Role.OFFICER)):
        client.force_login(user)
        response = client.get(f"/documents/{document.pk}/download/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith('attachment; filename="audit-trail-extract-')
        assert b"".join(response.streaming_content)[:5] == b"%PDF-"
    assert AuditEvent.objects.filter(action="document.downloaded").count() == 2


@pytest.mark.parametrize("path", ["", "status/", "download/"])
def test_anyone_else_gets_not_found_and_the_public_is_sent_to_sign_in(client, officer, provider, produced, path):
    document = produced(kind=reports.AUDIT_EXTRACT, params=audit_params(), by=officer)
    url = f"/documents/{document.pk}/{path}"
    for user in (provider, make_user(User.Role.PARTNER), make_user(User.Role.EVALUATOR)):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response.url == f"/sign-in/?next={url}"


def test_a_provider_reads_their_own_supplier_report_and_not_another(client, produced, test_reports):
    mine, theirs = make_user(User.Role.PROVIDER), make_user(User.Role.PROVIDER)
    supplier = mine.supplier_membership.supplier
    document = produced(kind="test-supplier-report", target=supplier, by=mine)
    assert document.title == f"Supplier report for {supplier}" and document.target == supplier
    client.force_login(mine)
    assert client.get(f"/documents/{document.pk}/download/").status_code == 200
    client.force_login(theirs)
    assert client.get(f"/documents/{document.pk}/download/").status_code == 404
    with pytest.raises(PermissionDenied):
        documents.request_document(kind="test-supplier-report", target=supplier, by=theirs)


def test_the_requester_may_read_what_they_asked_for(client, produced, test_reports):
    requester, colleague = make_user(User.Role.PROVIDER), make_user(User.Role.PROVIDER)
    document = produced(kind="test-provider-note", by=requester)
    client.force_login(requester)
    assert client.get(f"/documents/{document.pk}/").status_code == 200
    client.force_login(colleague)
    assert client.get(f"/documents/{document.pk}/").status_code == 404


def test_a_document_not_ready_yet_redirects_its_download_to_the_status_page(client, officer):
    document = GeneratedDocument.objects.create(
        kind=reports.AUDIT_EXTRACT, title="Queued one", params=audit_params(), requested_by=officer
    )
    client.force_login(officer)
    response = client.get(f"/documents/{document.pk}/download/")
    assert response.status_code == 302 and response.url == f"/documents/{document.pk}/"


def test_the_status_page_shows_each_state_with_a_tag(client, officer, produced, test_reports):
    client.force_login(officer)
    queued = GeneratedDocument.objects.create(
        kind=reports.AUDIT_EXTRACT, title="Queued one", params=audit_params(), requested_by=officer
    )
    html = client.get(f"/documents/{queued.pk}/").content.decode()
    assert html.count("<h1") == 1 and 'class="govuk-breadcrumbs"' in html
    assert 'govuk-tag govuk-tag--grey" id="document-status-tag">Queued<' in html
    assert 'aria-live="polite"' in html and "Refresh this page" in html
    assert 'src="/static/dist/document-status.mjs"' in html and "<script>" not in html

    ready = produced(kind=reports.AUDIT_EXTRACT, params=audit_params(), by=officer)
    html = client.get(f"/documents/{ready.pk}/").content.decode()
    assert ">Ready<" in html and f'href="/documents/{ready.pk}/download/"' in html
    assert "Refresh this page" not in html

    test_reports["left"] = 100
    failed = produced(kind="test-flaky", by=officer)
    html = client.get(f"/documents/{failed.pk}/").content.decode()
    assert ">Failed<" in html and "Something went wrong while producing the PDF." in html
    assert "Try again</button>" in html and "RuntimeError" not in html


def test_the_status_endpoint_says_the_same_in_json(client, officer, produced):
    client.force_login(officer)
    document = produced(kind=reports.AUDIT_EXTRACT, params=audit_params(), by=officer)
    data = client.get(f"/documents/{document.pk}/status/").json()
    assert data == {
        "status": "ready",
        "label": "Ready",
        "tag_class": "govuk-tag--green",
        "message": "Your document is ready to download. It has 1 page.",
        "finished": True,
        "download_url": f"/documents/{document.pk}/download/",
        "page_count": 1,
    }


def test_the_retry_button_queues_it_again(client, officer, produced, test_reports, django_capture_on_commit_callbacks):
    test_reports["left"] = 100
    document = produced(kind="test-flaky", by=officer)
    test_reports["left"] = 0
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/documents/{document.pk}/retry/")
    assert response.status_code == 302 and response.url == f"/documents/{document.pk}/"
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.READY
    assert client.get(f"/documents/{document.pk}/retry/").status_code == 405


def test_your_documents_lists_only_your_own(client, officer, produced):
    mine = produced(kind=reports.AUDIT_EXTRACT, params=audit_params(), by=officer)
    other_officer = make_user(User.Role.OFFICER)
    produced(kind=reports.AUDIT_EXTRACT, params=audit_params(days=3), by=other_officer)
    client.force_login(officer)
    html = client.get("/documents/").content.decode()
    assert html.count("<h1") == 1
    assert re.findall(r'href="/documents/(\d+)/"', html) == [str(mine.pk)]
    assert ">Ready<" in html and 'href="/documents/audit-trail-extract/"' in html


# The request form of the audit trail extract ------------------------------------------------------------


def test_only_officers_may_request_the_audit_extract(client, provider, officer):
    url = "/documents/audit-trail-extract/"
    assert client.get(url).status_code == 302
    client.force_login(provider)
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403
    client.force_login(officer)
    html = client.get(url).content.decode()
    assert html.count("<h1") == 1 and "Request an audit trail extract" in html
    assert 'class="govuk-date-input"' in html


def _dates(start: tuple[str, str, str], end: tuple[str, str, str]) -> dict[str, str]:
    return {
        "date_from_0": start[0],
        "date_from_1": start[1],
        "date_from_2": start[2],
        "date_to_0": end[0],
        "date_to_1": end[1],
        "date_to_2": end[2],
    }


@pytest.mark.parametrize(
    ("start", "end", "message", "field"),
    [
        (("", "", ""), ("1", "5", "2025"), "Enter the start date", "id_date_from_0"),
        (("31", "2", "2025"), ("1", "5", "2025"), "The start date must be a real date", "id_date_from_0"),
        (("1", "", "2025"), ("1", "5", "2025"), "The start date must include a month", "id_date_from_1"),
        (("1", "5", "25"), ("1", "6", "2025"), "The start date must be a real date", "id_date_from_0"),
        (("1", "6", "2025"), ("1", "5", "2025"), "The end date must be the same as or after", "id_date_to_0"),
        (("1", "1", "2199"), ("2", "1", "2199"), "The start date must be today or in the past", "id_date_from_0"),
        (("1", "5", "2025"), ("31", "12", "9999"), "The end date must be between 1900 and 2200", "id_date_to_0"),
    ],
)
def test_bad_dates_are_explained_next_to_the_field_and_in_the_summary(client, officer, start, end, message, field):
    client.force_login(officer)
    response = client.post("/documents/audit-trail-extract/", _dates(start, end))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: " in html
    summary = html.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    assert re.search(rf'<a href="#{field}">{message}', summary)
    assert html.count(message) >= 2  # in the summary and next to the field
    assert f'name="date_from_2" value="{start[2]}"' in html or not start[2]
    assert f'name="date_to_0" value="{end[0]}"' in html  # what was typed is kept
    assert not GeneratedDocument.objects.exists()


def test_a_good_request_goes_to_the_status_page(client, officer, django_capture_on_commit_callbacks):
    client.force_login(officer)
    today = TODAY()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/documents/audit-trail-extract/",
            _dates(("1", "4", "2025"), (str(today.day), str(today.month), str(today.year))),
        )
    document = GeneratedDocument.objects.get()
    assert response.status_code == 302 and response.url == f"/documents/{document.pk}/"
    assert document.params == {"date_from": "2025-04-01", "date_to": today.isoformat()}
    assert document.status == GeneratedDocument.Status.READY and document.requested_by == officer


def test_officers_see_the_document_log_in_the_admin(client, officer, produced):
    produced(kind=reports.AUDIT_EXTRACT, params=audit_params(), by=officer)
    client.force_login(officer)
    response = client.get("/admin/commissioning/generateddocument/?status__exact=ready")
    assert response.status_code == 200 and "Audit trail extract" in response.content.decode()
    assert client.get("/admin/commissioning/generateddocument/add/").status_code == 403


# A real worker --------------------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_produces_the_pdf_requested_through_the_view(celery_worker, client, officer, settings):
    from commissioning.settings import test as test_settings

    settings.MEDIA_ROOT = test_settings.MEDIA_ROOT  # where the worker, on the test settings, writes
    for n in range(60):
        record("test.event", by=officer, data={"n": n})
    client.force_login(officer)
    today = TODAY()
    response = client.post(
        "/documents/audit-trail-extract/",
        _dates(
            (str(today.day), str(today.month), str(today.year)), (str(today.day), str(today.month), str(today.year))
        ),
    )
    document = GeneratedDocument.objects.get()
    assert response.url == f"/documents/{document.pk}/"

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        status = client.get(f"/documents/{document.pk}/status/").json()
        if status["finished"]:
            break
        time.sleep(0.25)
    assert status["status"] == "ready", status
    document.refresh_from_db()
    expected_pages = documents.render_pdf(document)[1]  # the same report rendered here, in the test

    download = client.get(status["download_url"])
    content = b"".join(download.streaming_content)
    path = Path(settings.MEDIA_ROOT) / "downloaded.pdf"
    path.write_bytes(content)
    try:
        assert content[:5] == b"%PDF-"
        assert int(pdf_info(path)["Pages"]) == document.page_count == expected_pages > 1
        assert f"Page {expected_pages} of {expected_pages}" in pdf_text(path)
    finally:
        path.unlink()
        document.file.delete(save=False)
