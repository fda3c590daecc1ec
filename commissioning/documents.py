"""Generated documents: the one path by which every PDF of the portal is requested, produced and read.

A request creates a `GeneratedDocument` row (queued) and, once that row is committed, queues the
`commissioning.generate_document` task. The task renders the report's Django template with WeasyPrint
(A4, page numbers, generation time, tagged PDF/UA-1), stores the file and marks the row ready. Errors
are retried a bounded number of times and then shown as failed with a reason the requester can read,
with a retry; nothing is dropped silently.
"""

from __future__ import annotations

import gc
import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from kombu.exceptions import OperationalError as BrokerError

from . import reports
from .audit import record
from .models import GeneratedDocument, User

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration

logger = logging.getLogger(__name__)

PDF_VARIANT = "pdf/ua-1"  # tagged, with title and language, so screen readers can use the documents


class DocumentStateError(Exception):
    """The document is not in a state that allows this (e.g. retrying one that is not failed)."""


class DocumentNotQueued(Exception):
    """The task found the document already finished; a duplicate delivery has nothing to do."""


# Reads ----------------------------------------------------------------------------------------------


def _report_and_target(document: GeneratedDocument):
    """The report that produces `document` and what it is about; (None, None) for a kind no longer known."""
    try:
        report = reports.get_report(document.kind)
    except reports.UnknownReport:
        return None, None
    return report, document.target if document.target_type_id else None


def can_view(user: User, document: GeneratedDocument) -> bool:
    """The report decides who may read it; its requester may too while they could still request it."""
    if not (user.is_authenticated and user.is_active):
        return False
    report, target = _report_and_target(document)
    if report is None:
        return False
    if report.can_view(user, target):
        return True
    return document.requested_by_id == user.pk and report.can_request(user, target)


def can_retry(user: User, document: GeneratedDocument) -> bool:
    if document.status != GeneratedDocument.Status.FAILED:
        return False
    report, target = _report_and_target(document)
    return bool(report is not None and user.is_active and report.can_request(user, target))


def documents_requested_by(user: User) -> models.QuerySet[GeneratedDocument]:
    return GeneratedDocument.objects.filter(requested_by=user).order_by("-requested_at", "-id")


def download_name(document: GeneratedDocument) -> str:
    stamp = timezone.localtime(document.finished_at or document.requested_at)
    return f"{slugify(document.title)[:120] or document.kind}-{stamp:%Y%m%d-%H%M}.pdf"


# Writes ---------------------------------------------------------------------------------------------


def request_document(
    *,
    kind: str,
    target: models.Model | None = None,
    params: dict[str, Any] | None = None,
    by: User,
) -> GeneratedDocument:
    """Record the request and queue its production once the row is committed."""
    report = reports.get_report(kind)
    if not (by.is_authenticated and by.is_active and report.can_request(by, target)):
        raise PermissionDenied("You cannot request this document.")
    clean_params = json.loads(json.dumps(params or {}, cls=DjangoJSONEncoder))
    with transaction.atomic():
        document = GeneratedDocument.objects.create(
            kind=kind,
            title=report.title_for(target, clean_params)[:300],
            target_type=ContentType.objects.get_for_model(target) if target is not None else None,
            target_id=str(target.pk) if target is not None else "",
            params=clean_params,
            requested_by=by,
        )
        record(
            "document.requested",
            by=by,
            obj=document,
            data={"kind": kind, "target": str(target) if target else "", "params": clean_params},
        )
        transaction.on_commit(lambda: _queue(document.pk))
    return document


def retry_document(*, document: GeneratedDocument, by: User) -> GeneratedDocument:
    """Queue a failed document again, for someone who may request it."""
    if not can_retry(by, document):
        if document.status != GeneratedDocument.Status.FAILED:
            raise DocumentStateError("Only a document that failed can be tried again.")
        raise PermissionDenied("You cannot request this document.")
    with transaction.atomic():
        updated = GeneratedDocument.objects.filter(pk=document.pk, status=GeneratedDocument.Status.FAILED).update(
            status=GeneratedDocument.Status.QUEUED,
            failure_reason="",
            error_detail="",
            requested_at=timezone.now(),
            started_at=None,
            finished_at=None,
        )
        if not updated:
            raise DocumentStateError("Only a document that failed can be tried again.")
        record("document.retry_requested", by=by, obj=document, data={"kind": document.kind})
        transaction.on_commit(lambda: _queue(document.pk))
    document.refresh_from_db()
    return document


def record_download(*, document: GeneratedDocument, by: User) -> None:
    """Who read which document is worth keeping: some hold personal or commercial data."""
    record("document.downloaded", by=by, obj=document, data={"kind": document.kind})


def _queue(document_id: int) -> None:
    from .tasks import generate_document

    options = {"queue": settings.DOCUMENT_QUEUE} if settings.DOCUMENT_QUEUE else {}
    try:
        generate_document.apply_async(args=[document_id], **options)
    except (BrokerError, OSError) as exc:
        # The broker refused it: say so on the document rather than leave it queued for ever.
        logger.exception("Could not queue document %s", document_id)
        GeneratedDocument.objects.filter(pk=document_id).update(
            status=GeneratedDocument.Status.FAILED,
            failure_reason="The document could not be put in the queue. Try again in a few minutes.",
            error_detail=f"{type(exc).__name__}: {exc}"[:4000],
            finished_at=timezone.now(),
        )


# The task's work ------------------------------------------------------------------------------------


def generate(*, document_id: int) -> GeneratedDocument:
    """Produce the PDF of one document. Raises on failure so that the task can retry."""
    with transaction.atomic():
        document = GeneratedDocument.objects.select_for_update().get(pk=document_id)
        # Running is accepted too: a worker that died mid-render leaves it so, and the message returns.
        if document.status not in {GeneratedDocument.Status.QUEUED, GeneratedDocument.Status.RUNNING}:
            raise DocumentNotQueued(f"Document {document_id} is {document.status}.")
        document.status = GeneratedDocument.Status.RUNNING
        document.started_at = timezone.now()
        document.attempts += 1
        document.save(update_fields=["status", "started_at", "attempts"])

    pdf, pages = render_pdf(document)
    if document.file:
        document.file.delete(save=False)
    document.file.save(f"{document.kind}-{document.pk}.pdf", ContentFile(pdf), save=False)
    document.page_count = pages
    document.size_bytes = len(pdf)
    document.status = GeneratedDocument.Status.READY
    document.failure_reason = ""
    document.error_detail = ""
    document.finished_at = timezone.now()
    document.save(
        update_fields=[
            "file",
            "page_count",
            "size_bytes",
            "status",
            "failure_reason",
            "error_detail",
            "finished_at",
        ]
    )
    logger.info("Document %s (%s): %s pages in %.2f s", document.pk, document.kind, pages, document.seconds_taken)
    return document


def render_pdf(document: GeneratedDocument) -> tuple[bytes, int]:
    """Render the report's template to a tagged A4 PDF; returns the bytes and the number of pages."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    _cache_page_references()
    report = reports.get_report(document.kind)
    with _cyclic_gc_paused():
        context = {
            **report.build_context(document),
            "document": document,
            "generated_at": timezone.localtime(),
            "portal_name": settings.PORTAL_NAME,
            "support_email": settings.SUPPORT_EMAIL,
        }
        html = render_to_string(report.template, context)
        # Everything a report needs is inside its HTML: fetching anything else (a URL in data, a local
        # file) is refused.
        fetcher = URLFetcher(allowed_protocols={"data"})
        rendered = HTML(string=html, url_fetcher=fetcher).render(pdf_variant=PDF_VARIANT, font_config=_font_config())
        pdf = rendered.write_pdf(pdf_variant=PDF_VARIANT)
        return pdf, len(rendered.pages)


_fonts = threading.local()


def _font_config() -> FontConfiguration:
    """One WeasyPrint font configuration per thread, kept between documents: making one, and loading the
    fonts into it, is a fixed cost of every document otherwise. The reports use system fonts only (no
    @font-face), so what it caches is the same for every document. Per thread, as Pango's font maps are
    not meant to be shared between threads."""
    config = getattr(_fonts, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _fonts.config = FontConfiguration()
    return config


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a document is built.

    WeasyPrint makes millions of small objects (boxes, styles, layout state) for a long report, and
    each full collection walks all of them again: a quarter to a third of the time of a long extract
    went on collections that freed next to nothing, as the objects are in use until the PDF is written.
    Reference counting still frees everything else at once; the collector picks up the document's
    reference cycles once it is running again. It is left alone if something else had paused it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _cache_page_references() -> None:
    """Make pydyf's `PDF.page_references` keep its answer until a page is added.

    As released (pydyf 0.13), the property builds a fresh tuple of every page's reference each time it
    is read, and WeasyPrint's tagging for PDF/UA reads it once for every tagged element: time that grows
    with the square of the pages, about a tenth of a 200-page extract. The cached tuple is the same value.
    Anything unexpected in pydyf's internals falls back to the property as it was; doing it again is a
    no-op."""
    import pydyf

    original = pydyf.PDF.__dict__.get("page_references")
    if not isinstance(original, property) or getattr(original.fget, "cached_until_a_page_is_added", False):
        return
    compute = original.fget

    def page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
        try:
            kids = pdf.pages["Kids"]
            key = (id(kids), len(kids))
            cached = pdf.__dict__.get("_portal_page_references")
            if cached is None or cached[0] != key:
                cached = pdf.__dict__["_portal_page_references"] = (key, compute(pdf))
            return cached[1]
        except (AttributeError, KeyError, TypeError):
            return compute(pdf)

    page_references.cached_until_a_page_is_added = True
    pydyf.PDF.page_references = property(page_references, doc=original.__doc__)


def record_failure(*, document_id: int, error: BaseException, final: bool, retry_in: int = 0) -> None:
    """Say what went wrong: queued again with a note while retries remain, failed after the last."""
    reason = readable_reason(error)
    detail = f"{type(error).__name__}: {error}"[:4000]
    if final:
        GeneratedDocument.objects.filter(pk=document_id).update(
            status=GeneratedDocument.Status.FAILED,
            failure_reason=f"{reason} We tried {settings.DOCUMENT_MAX_RETRIES + 1} times. "
            f"Try again, and if it fails again contact {settings.SUPPORT_EMAIL}.",
            error_detail=detail,
            finished_at=timezone.now(),
        )
    else:
        again = f"in {retry_in} seconds" if retry_in else "now"
        GeneratedDocument.objects.filter(pk=document_id).update(
            status=GeneratedDocument.Status.QUEUED,
            failure_reason=f"{reason} Trying again {again}.",
            error_detail=detail,
        )


def readable_reason(error: BaseException) -> str:
    from celery.exceptions import SoftTimeLimitExceeded

    if isinstance(error, SoftTimeLimitExceeded):
        return "It took too long to produce."
    if isinstance(error, ObjectDoesNotExist):
        return "The record this document is about no longer exists."
    if isinstance(error, TemplateDoesNotExist | TemplateSyntaxError):
        return "The layout of this document is missing or broken."
    if isinstance(error, reports.UnknownReport):
        return "This kind of document can no longer be produced."
    if isinstance(error, OSError):
        return "The finished file could not be stored."
    return "Something went wrong while producing the PDF."
