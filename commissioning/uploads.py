"""Checking uploaded files: only the document types the portal accepts, with content that matches
the file's extension, and a size limit. Files are stored privately and fingerprinted with SHA-256."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
ALLOWED_EXTENSIONS = {
    ".pdf": "PDF",
    ".docx": "Word document",
    ".xlsx": "Excel spreadsheet",
    ".odt": "OpenDocument text",
    ".csv": "CSV file",
}
ACCEPT_ATTRIBUTE = ",".join(ALLOWED_EXTENSIONS)
ALLOWED_LABEL = "a PDF, DOCX, XLSX, ODT or CSV"


def _zip_members(upload: UploadedFile) -> set[str]:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return set(archive.namelist())
    except zipfile.BadZipFile:
        return set()
    finally:
        upload.seek(0)


def _odt_mimetype(upload: UploadedFile) -> str:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return archive.read("mimetype").decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, KeyError):
        return ""
    finally:
        upload.seek(0)


def _content_matches(extension: str, upload: UploadedFile) -> bool:
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if extension == ".pdf":
        return head.startswith(b"%PDF-")
    if extension == ".docx":
        return head.startswith(b"PK") and "word/document.xml" in _zip_members(upload)
    if extension == ".xlsx":
        return head.startswith(b"PK") and "xl/workbook.xml" in _zip_members(upload)
    if extension == ".odt":
        return head.startswith(b"PK") and _odt_mimetype(upload) == "application/vnd.oasis.opendocument.text"
    if extension == ".csv":
        if b"\x00" in head or head.startswith((b"%PDF", b"PK")):
            return False
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return False
        return True
    return False


def validate_upload(upload: UploadedFile) -> None:
    """Raise a ValidationError with a message a provider can act on."""
    name = upload.name or ""
    extension = PurePath(name).suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(f"The selected file must be {ALLOWED_LABEL}", code="file_type")
    if upload.size == 0:
        raise ValidationError("The selected file is empty", code="empty")
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError("The selected file must be smaller than 25MB", code="file_size")
    if not _content_matches(extension, upload):
        raise ValidationError(
            f"The selected file is not a real {ALLOWED_EXTENSIONS[extension]}: its content does not match "
            f"its name. Save it as {ALLOWED_LABEL} and upload it again",
            code="content_mismatch",
        )


def sha256_of(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
