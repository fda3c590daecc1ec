"""Serving private files: only through views that checked access, always as attachments."""

from __future__ import annotations

from pathlib import PurePath

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".csv": "text/csv",
}


def attachment_response(field: FieldFile, download_name: str | None = None) -> FileResponse:
    if not field:
        raise Http404("No file")
    name = download_name or PurePath(field.name).name
    content_type = CONTENT_TYPES.get(PurePath(name).suffix.lower(), "application/octet-stream")
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404("File missing") from exc
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
