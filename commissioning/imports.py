"""The file formats the admin's imports accept (CSV and XLSX), read so that a file no import could store
is refused by the import form with a message, before any row is looked at.

A NUL character is the case in point: SQLite stores it, PostgreSQL refuses it, and before this the
contract register's import answered such a file with a server error on PostgreSQL.
"""

from __future__ import annotations

from import_export.formats import base_formats


class UnreadableFile(ValueError):
    """The file was read, but holds something no import can store."""


def refuse_nul_characters(dataset) -> None:
    headers = list(dataset.headers or [])
    for header in headers:
        if isinstance(header, str) and "\x00" in header:
            raise UnreadableFile("The first row holds a NUL character. Save the file again as CSV (UTF-8) or XLSX.")
    for number, row in enumerate(dataset, start=2):
        for column, value in zip(headers, row, strict=False):
            if isinstance(value, str) and "\x00" in value:
                raise UnreadableFile(
                    f"Row {number}, column “{column}” holds a NUL character. "
                    "Save the file again as CSV (UTF-8) or XLSX."
                )


class RefusesNulCharacters:
    def create_dataset(self, in_stream, **kwargs):
        dataset = super().create_dataset(in_stream, **kwargs)
        refuse_nul_characters(dataset)
        return dataset


class CSV(RefusesNulCharacters, base_formats.CSV):
    pass


class XLSX(RefusesNulCharacters, base_formats.XLSX):
    pass


FORMATS = [CSV, XLSX]


class ImportFileMessagesMixin:
    """Show our reason for refusing a file instead of the library's "ValueError encountered while trying
    to read file"."""

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UnreadableFile):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)
