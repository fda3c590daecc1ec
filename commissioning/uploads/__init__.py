"""The one gate every uploaded file passes before it is stored or read: supplier documents, evidence of
accreditations, answers to selection questions, tenders and competition specifications, return
spreadsheets and supporting documents, and the admin's imports.

In order, cheapest first: the kinds of file the upload accepts; a size limit for that kind of upload
(settings); then the file is proven to be what its name says by opening it (`content`), a ZIP-based
document having its unpacked sizes, compression ratio and XML checked before anything parses it
(`containers`); last, when a scanner is configured, a malware scan (`scanning`), whose detections are
refused and audited. A refusal is a ValidationError whose message says what to do, for the field it
came from.

Files are stored privately and fingerprinted with SHA-256.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from .containers import Limits, Refused
from .content import check_csv, check_pdf, check_zip_document
from .scanning import ScannerUnavailable, scan

ECHO_LIMIT = 80
FILE_LABELS = {
    ".pdf": "a PDF",
    ".docx": "a Word document",
    ".xlsx": "an Excel spreadsheet",
    ".odt": "an OpenDocument text",
    ".csv": "a CSV file",
}


@dataclass(frozen=True)
class Kind:
    """A kind of upload: the files it accepts and the setting that holds its size limit."""

    name: str
    extensions: tuple[str, ...]
    label: str

    @property
    def accept(self) -> str:
        return ",".join(self.extensions)

    @property
    def max_bytes(self) -> int:
        return settings.UPLOAD_MAX_BYTES[self.name]

    @property
    def max_label(self) -> str:
        return f"{self.max_bytes / (1024 * 1024):g}MB"


DOCUMENT = Kind("document", (".pdf", ".docx", ".xlsx", ".odt", ".csv"), "a PDF, DOCX, XLSX, ODT or CSV")
RETURN_SPREADSHEET = Kind("return_spreadsheet", (".xlsx",), "an Excel spreadsheet (.xlsx)")
IMPORT = Kind("import", (".csv", ".xlsx"), "a CSV or XLSX file")
KINDS = {kind.name: kind for kind in (DOCUMENT, RETURN_SPREADSHEET, IMPORT)}

# The names the forms have always used, for the documents most uploads are.
ALLOWED_EXTENSIONS = {extension: FILE_LABELS[extension] for extension in DOCUMENT.extensions}
ACCEPT_ATTRIBUTE = DOCUMENT.accept
ALLOWED_LABEL = DOCUMENT.label


def echo(value, limit: int = ECHO_LIMIT) -> str:
    """Something a user sent, fit to quote back in a message: one line, at most `limit` characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _refusal(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def check_upload(upload: UploadedFile, *, kind: Kind | str = DOCUMENT, by=None, request=None) -> None:
    """Raise a ValidationError with a message a provider can act on, or return when the file may be
    stored. A file that passed is not checked (or scanned) again for the same kind of upload."""
    kind = KINDS[kind] if isinstance(kind, str) else kind
    if kind.name in getattr(upload, "passed_gate", ()):
        return
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in kind.extensions:
        raise _refusal(f"The selected file must be {kind.label}", "file_type")
    if not upload.size:
        raise _refusal("The selected file is empty", "empty")
    if upload.size > kind.max_bytes:
        raise _refusal(f"The selected file must be smaller than {kind.max_label}", "file_size")
    try:
        if extension == ".pdf":
            check_pdf(upload)
        elif extension == ".csv":
            check_csv(upload)
        else:
            check_zip_document(extension, upload, Limits.from_settings(kind.name))
    except Refused as refused:
        advice = refused.advice or f"Save it again as {kind.label} and upload it again"
        raise _refusal(
            f"The selected file cannot be used as {FILE_LABELS[extension]}: {refused.reason}. {advice}", "content"
        ) from refused
    if settings.MALWARE_SCANNER:
        _scan(upload, kind=kind, by=by, request=request)
    upload.passed_gate = {*getattr(upload, "passed_gate", ()), kind.name}


def _scan(upload: UploadedFile, *, kind: Kind, by, request) -> None:
    try:
        verdict = scan(upload)
    except ScannerUnavailable:
        raise _refusal(
            "The selected file could not be checked for viruses just now, so it has not been saved. "
            "Try again in a few minutes",
            "scan_unavailable",
        ) from None
    if not verdict.infected:
        return
    from commissioning.audit import record

    request = request or getattr(upload, "request", None)
    by = by or getattr(request, "user", None)
    record(
        "upload.malware_detected",
        by=by,
        data={
            "file_name": echo(upload.name or ""),
            "kind": kind.name,
            "size": upload.size,
            "sha256": sha256_of(upload),
            "signature": echo(verdict.signature),
            "path": echo(getattr(request, "path", "")),
        },
        request=request,
    )
    raise _refusal(
        "The selected file contains a virus or other malware, so it has not been saved. "
        "Check your computer with your antivirus software",
        "malware",
    )


def validate_upload(upload: UploadedFile, *, kind: Kind | str = DOCUMENT, by=None, request=None) -> None:
    """The gate, under the name forms and services have always called."""
    check_upload(upload, kind=kind, by=by, request=request)


def scanning_enabled() -> bool:
    return bool(settings.MALWARE_SCANNER)


def sha256_of(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


class GatedFileField(forms.FileField):
    """A form's file field whose new file passes the gate, as a file of `kind` (a document unless told)."""

    kind = DOCUMENT

    def __init__(self, *args, kind: Kind | str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if kind is not None:
            self.kind = kind

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if isinstance(upload, UploadedFile):
            validate_upload(upload, kind=self.kind)
        return upload


def use_in_the_admin() -> None:
    """Every file the admin takes into a model's file column passes the gate (run once, when the app is
    ready): the defaults every ModelAdmin and inline starts from, and the ModelAdmins already registered."""
    from django.contrib import admin
    from django.contrib.admin import options
    from django.db import models

    options.FORMFIELD_FOR_DBFIELD_DEFAULTS.setdefault(models.FileField, {})["form_class"] = GatedFileField
    for model_admin in admin.site._registry.values():
        model_admin.formfield_overrides.setdefault(models.FileField, {})["form_class"] = GatedFileField
