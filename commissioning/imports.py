"""The file formats the admin's imports accept (CSV and XLSX), and the import form that passes every file
through the upload gate (`commissioning.uploads`, kind "import") before any row is read.

A file no import could store is refused by the import form with a message, before any row is looked
at. A NUL character is the case in point: SQLite stores it, PostgreSQL refuses it, and before this the
contract register's import answered such a file with a server error on PostgreSQL. A spreadsheet is
read at most SPREADSHEET_MAX_ROWS rows deep and MAX_COLUMNS wide, whatever size it claims, and no
cell's text is kept beyond SPREADSHEET_MAX_CELL_CHARACTERS.
"""

from __future__ import annotations

import io

import tablib
from django.conf import settings
from import_export.formats import base_formats
from import_export.forms import ImportForm
from openpyxl import load_workbook

from .uploads import IMPORT, echo, validate_upload

MAX_COLUMNS = 100


class UnreadableFile(ValueError):
    """The file was read, but holds something no import can store."""


def _cut(value):
    return value[: settings.SPREADSHEET_MAX_CELL_CHARACTERS] if isinstance(value, str) else value


def refuse_nul_characters(dataset) -> None:
    headers = list(dataset.headers or [])
    for header in headers:
        if isinstance(header, str) and "\x00" in header:
            raise UnreadableFile("The first row holds a NUL character. Save the file again as CSV (UTF-8) or XLSX.")
    for number, row in enumerate(dataset, start=2):
        for column, value in zip(headers, row, strict=False):
            if isinstance(value, str) and "\x00" in value:
                raise UnreadableFile(
                    f"Row {number}, column “{echo(column)}” holds a NUL character. "
                    "Save the file again as CSV (UTF-8) or XLSX."
                )


class RefusesNulCharacters:
    def create_dataset(self, in_stream, **kwargs):
        dataset = super().create_dataset(in_stream, **kwargs)
        refuse_nul_characters(dataset)
        return dataset


class CSV(RefusesNulCharacters, base_formats.CSV):
    def create_dataset(self, in_stream, **kwargs):
        dataset = super().create_dataset(in_stream, **kwargs)
        if len(dataset) > settings.SPREADSHEET_MAX_ROWS:
            raise UnreadableFile(f"The file has more than {settings.SPREADSHEET_MAX_ROWS:,} rows. Import it in parts.")
        return tablib.Dataset(
            *([_cut(value) for value in row] for row in dataset), headers=[_cut(h) for h in dataset.headers or []]
        )


class XLSX(base_formats.XLSX):
    def create_dataset(self, in_stream, **kwargs):
        """The first sheet, read within bounds: the library's own reader pads every row to the width the
        sheet claims, which a hostile file sets to 16,384 columns by a million rows."""
        book = load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
        try:
            rows = book.active.iter_rows(
                max_row=settings.SPREADSHEET_MAX_ROWS + 2, max_col=MAX_COLUMNS, values_only=True
            )
            headers = next(rows, ())
            width = max((i + 1 for i, h in enumerate(headers) if h not in (None, "")), default=0)
            dataset = tablib.Dataset(headers=[_cut(h) for h in headers[:width]])
            blank_rows = 0  # kept only when a row follows them, so that row numbers match the sheet
            for row in rows:
                if all(value in (None, "") for value in row[:width]):
                    blank_rows += 1
                    continue
                if len(dataset) + blank_rows >= settings.SPREADSHEET_MAX_ROWS:
                    raise UnreadableFile(
                        f"The file has more than {settings.SPREADSHEET_MAX_ROWS:,} rows. Import it in parts."
                    )
                for _ in range(blank_rows):
                    dataset.append([None] * width)
                blank_rows = 0
                dataset.append([_cut(value) for value in row[:width]])
        finally:
            book.close()
        refuse_nul_characters(dataset)
        return dataset


FORMATS = [CSV, XLSX]


class GatedImportForm(ImportForm):
    """The admin's import form, whose file passes the upload gate first."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        validate_upload(upload, kind=IMPORT)
        return upload


class ImportFileMessagesMixin:
    """Every import through the upload gate, and our reason for refusing a file instead of the library's
    "ValueError encountered while trying to read file"."""

    import_form_class = GatedImportForm

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UnreadableFile):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file",
                "The file could not be read in the format you chose. Check the format, or save the file again "
                "as CSV (UTF-8) or XLSX.",
            )
