"""Every CSV and XLSX the portal and the admin export, safe to open in a spreadsheet program.

A supplier can type `=HYPERLINK("http://example.org","x")` into its name; written as it is, Excel runs
it as a formula when an officer opens the file. Text that a spreadsheet would read as a formula (it
starts with =, +, -, @, a tab or a carriage return, perhaps after spaces) is written with a leading
apostrophe, so it is shown, never run. One setting (`EXPORT_ESCAPE_FORMULAE`, on by default) and one
resource base class (`SpreadsheetSafeResource`, or `SpreadsheetSafeModelResource` for a model's) do it
for django-import-export; `safe_workbook_bytes` does it for the workbooks the portal builds itself, by
storing such text as text.
"""

from __future__ import annotations

import io
import re

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.text import capfirst
from import_export import resources

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def escape_formula(value):
    """`value` as a spreadsheet will show it: text that would run as a formula gets a leading apostrophe.
    A negative number written as text ("-250.00") is a number to a spreadsheet, not a formula."""
    if not settings.EXPORT_ESCAPE_FORMULAE or not isinstance(value, str):
        return value
    if value.lstrip(" ").startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value.strip()):
        return "'" + value
    return value


class SpreadsheetSafeMixin:
    """Formula-safe cells, and a sheet named for what it holds (never tablib's "Tablib Dataset"):
    `sheet_title` on the resource, else the model's plural name."""

    sheet_title: str = ""

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def export(self, *args, **kwargs):
        dataset = super().export(*args, **kwargs)
        dataset.title = sheet_name(self.get_sheet_title())
        return dataset

    def get_sheet_title(self) -> str:
        if self.sheet_title:
            return self.sheet_title
        model = getattr(self._meta, "model", None)
        return capfirst(str(model._meta.verbose_name_plural)) if model is not None else "Export"


def sheet_name(title: str) -> str:
    """A title Excel accepts for a sheet: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "-", title).strip()[:31] or "Export"


class SpreadsheetSafeResource(SpreadsheetSafeMixin, resources.Resource):
    """The base of every export resource that is not a model's."""


class SpreadsheetSafeModelResource(SpreadsheetSafeMixin, resources.ModelResource):
    """The base of every model resource (import and export)."""


def safe_workbook_bytes(book) -> bytes:
    """An openpyxl workbook built by the portal, saved with no cell that a spreadsheet would run: text
    that openpyxl took for a formula is stored as text, exactly as typed (no apostrophe to creep into a
    return the provider fills in and uploads again)."""
    if settings.EXPORT_ESCAPE_FORMULAE:
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_response(resource: resources.Resource, rows, fmt: str, filename: str) -> HttpResponse:
    """Export `rows` with `resource` as a CSV or XLSX download named `filename.<fmt>`."""
    if fmt not in CONTENT_TYPES:
        raise Http404("No such export format.")
    # A list, not a queryset: import-export iterates a queryset in chunks, repeating its prefetches.
    # In a workbook, dates and numbers stay dates and numbers (real cells, not text).
    dataset = resource.export(list(rows), force_native_type=fmt == "xlsx")
    # UTF-8 with a byte-order mark, so that spreadsheet programs read names and pound signs correctly.
    body = dataset.csv.encode("utf-8-sig") if fmt == "csv" else dataset.xlsx
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
