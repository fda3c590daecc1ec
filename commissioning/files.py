"""Serving private files: only through views that checked access, always as attachments."""

from __future__ import annotations

import io
from collections.abc import Callable
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


def attachment_response(
    field: FieldFile, download_name: str | None = None, *, transform: Callable[[bytes], bytes] | None = None
) -> FileResponse:
    """The file as an attachment; `transform` turns the stored bytes into what is served (for example
    opening a sealed tender file)."""
    if not field:
        raise Http404("No file")
    name = download_name or PurePath(field.name).name
    content_type = CONTENT_TYPES.get(PurePath(name).suffix.lower(), "application/octet-stream")
    try:
        handle = field.open("rb")
        if transform is not None:
            with handle:
                handle = io.BytesIO(transform(handle.read()))
    except FileNotFoundError as exc:
        raise Http404("File missing") from exc
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
