"""Generated documents: the user's list, the status page (with a JSON twin for polling), the download,
a retry, and the request form of the audit trail extract. Objects are scoped: a document the user may
not view is a 404, so its existence is not revealed."""

from __future__ import annotations

import re
from datetime import date

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from .. import documents, reports
from ..access import permission_required, signed_in
from ..forms import EARLIEST_YEAR, LATEST_YEAR, GDSFormMixin, within_calendar
from ..models import GeneratedDocument
from ..pagination import paginate

STATUS_TAGS = {
    GeneratedDocument.Status.QUEUED: "govuk-tag--grey",
    GeneratedDocument.Status.RUNNING: "govuk-tag--blue",
    GeneratedDocument.Status.READY: "govuk-tag--green",
    GeneratedDocument.Status.FAILED: "govuk-tag--red",
}


def _visible_document(request: HttpRequest, pk: int) -> GeneratedDocument:
    document = get_object_or_404(GeneratedDocument.objects.select_related("requested_by"), pk=pk)
    if not documents.can_view(request.user, document):
        raise Http404("No such document.")
    return document


def _status_message(document: GeneratedDocument) -> str:
    if document.status == GeneratedDocument.Status.READY:
        pages = document.page_count or 0
        return f"Your document is ready to download. It has {pages} page{pluralize(pages)}."
    if document.status == GeneratedDocument.Status.FAILED:
        return "Your document could not be produced."
    if document.status == GeneratedDocument.Status.RUNNING:
        return "Your document is being produced. This page will update when it is ready."
    return "Your document is in the queue. This page will update when it is ready."


@signed_in
def document_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, documents.documents_requested_by(request.user), 25)
    for document in page.object_list:
        document.tag_class = STATUS_TAGS[document.status]
    return render(request, "commissioning/document_list.html", {"page": page})


@signed_in
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = _visible_document(request, pk)
    return render(
        request,
        "commissioning/document_detail.html",
        {
            "document": document,
            "tag_class": STATUS_TAGS[document.status],
            "status_message": _status_message(document),
            "can_retry": documents.can_retry(request.user, document),
        },
    )


@signed_in
def document_status(request: HttpRequest, pk: int) -> JsonResponse:
    """What the status page's script polls; the same words as the page itself."""
    document = _visible_document(request, pk)
    ready = document.status == GeneratedDocument.Status.READY
    return JsonResponse(
        {
            "status": document.status,
            "label": document.get_status_display(),
            "tag_class": STATUS_TAGS[document.status],
            "message": _status_message(document),
            "finished": document.is_finished,
            "download_url": reverse("document_download", args=[document.pk]) if ready else None,
            "page_count": document.page_count,
        }
    )


@signed_in
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    document = _visible_document(request, pk)
    if document.status != GeneratedDocument.Status.READY or not document.file:
        return redirect("document_detail", pk=document.pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file of this document is missing.") from exc
    documents.record_download(document=document, by=request.user)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=documents.download_name(document),
        content_type="application/pdf",
    )


@signed_in
@require_POST
def document_retry(request: HttpRequest, pk: int) -> HttpResponse:
    document = _visible_document(request, pk)
    try:
        documents.retry_document(document=document, by=request.user)
    except documents.DocumentStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "We are trying again to produce your document.")
    return redirect("document_detail", pk=document.pk)


class GDSDateField(DateInputField):
    """A GOV.UK date input whose messages name the date, and which ties every message to one of its
    inputs so that the error summary links to a field that can take focus."""

    def __init__(self, *, noun: str, **kwargs):
        super().__init__(require_all_fields=False, **kwargs)
        self.noun = noun
        self.error_messages["required"] = f"Enter {noun}"
        self.error_messages["incomplete"] = f"Enter {noun}"
        for subfield, part in zip(self.fields, ("day", "month", "year"), strict=True):
            subfield.error_messages["incomplete"] = f"{noun.capitalize()} must include a {part}"
            subfield.validators = []

    def clean(self, value):
        for subfield in self.fields:
            subfield.widget.errors = []
        try:
            return super().clean(value)
        except ValidationError as error:
            self.tie(error.messages)
            raise

    def tie(self, errors: list[str]) -> None:
        if not any(subfield.widget.errors for subfield in self.fields):
            self.fields[0].widget.errors = list(errors)

    def compress(self, data_list):
        day, month, year = (str(part or "").strip() for part in data_list)
        if not (day and month and year):
            return None
        if not re.fullmatch(r"[0-9]+ [0-9]+ [0-9]{4}", f"{day} {month} {year}", re.ASCII):
            raise ValidationError(f"{self.noun.capitalize()} must be a real date, like 27 3 2025")
        try:
            result = date(int(year), int(month), int(day))
        except (ValueError, OverflowError):  # 31 2 2025, or a day of twenty digits
            raise ValidationError(f"{self.noun.capitalize()} must be a real date, like 27 3 2025") from None
        if not within_calendar(result):
            raise ValidationError(f"{self.noun.capitalize()} must be between {EARLIEST_YEAR} and {LATEST_YEAR}")
        return result


class AuditExtractForm(GDSFormMixin, forms.Form):
    date_from = GDSDateField(noun="the start date", label="Start date", help_text="For example, 1 4 2025")
    date_to = GDSDateField(noun="the end date", label="End date", help_text="For example, 30 6 2025")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        today = timezone.localdate()
        if start and start > today:
            self._tie("date_from", "The start date must be today or in the past")
        if start and end and end < start:
            self._tie("date_to", "The end date must be the same as or after the start date")
        return cleaned

    def _tie(self, name: str, message: str) -> None:
        self.fields[name].tie([message])
        self.add_error(name, message)


@permission_required("commissioning.request_audit_extract")
def audit_extract_request(request: HttpRequest) -> HttpResponse:
    form = AuditExtractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        document = documents.request_document(
            kind=reports.AUDIT_EXTRACT,
            params={
                "date_from": form.cleaned_data["date_from"].isoformat(),
                "date_to": form.cleaned_data["date_to"].isoformat(),
            },
            by=request.user,
        )
        return redirect("document_detail", pk=document.pk)
    return render(request, "commissioning/audit_extract_request.html", {"form": form})
