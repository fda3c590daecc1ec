"""Spreadsheet imports whose rows are saved together (django-import-export resources with `use_bulk` and
`skip_diff`): each valid row, read into a record of the app's service with its row `number` and a `key`
that may appear once per file, is kept by `save_instance`, and one service call saves them all after the
import. No savepoint or write per row; the preview shows each row's values instead of a diff, which would
need every row saved first."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any


class RowsSavedTogether:
    """The resource's part of saving rows together; the resource reads each row into `instance._imported`
    (in `import_instance` or `validate_instance`) and saves `self._pending` in `after_import`."""

    def _reset_rows(self) -> None:
        self._preview_columns = [field.column_name for field in self.get_import_fields()]
        self._earlier: dict = {}  # the first row number of each key, to refuse the same key again
        self._pending: list = []
        self._instances: dict = {}

    def save_instance(self, instance, is_create, row, **kwargs):
        """Keep the valid row for `after_import`, which saves them all at once."""
        self.before_save_instance(instance, row, **kwargs)
        imported = instance._imported
        self._pending.append(imported)
        self._instances[imported.number] = instance
        self._earlier.setdefault(imported.key, imported.number)
        self.after_save_instance(instance, row, **kwargs)

    def after_import_row(self, row, row_result, **kwargs):
        if row_result.import_type in (row_result.IMPORT_TYPE_NEW, row_result.IMPORT_TYPE_UPDATE):
            row_result.diff = [row.get(column, "") for column in self._preview_columns]

    def _may_save_rows(self, result, kwargs) -> bool:
        """Rows were kept and none was refused. A dry run saves too, so its preview is what the import
        would do, unless there is no transaction to roll it back."""
        can_write = self._is_using_transactions(kwargs) or not self._is_dry_run(kwargs)
        return can_write and not result.has_errors() and not result.has_validation_errors() and bool(self._pending)

    def _saved_as(self, saved: dict) -> None:
        """The rows' own instances become the saved records (`saved`, by row number): the admin logs them
        by primary key."""
        for number, record in saved.items():
            instance = self._instances[number]
            instance.pk = record.pk
            instance._state.adding = False


def check_each_row(
    rows: Iterable,
    check: Callable[[Any, Mapping], Any],
    *,
    refused: type[Exception],
    error_class: Callable[[dict], Exception],
) -> dict[int, Any]:
    """Every row checked before anything is saved: `check(row, earlier)`, where `earlier` maps the keys of
    the rows before it to their row numbers. The refusals (`refused`) are raised together, by row number,
    as `error_class`; otherwise what `check` returned for each row, by row number."""
    errors: dict[int, Exception] = {}
    earlier: dict = {}
    checked: dict[int, Any] = {}
    for row in rows:
        try:
            checked[row.number] = check(row, earlier)
        except refused as exc:
            errors[row.number] = exc
        earlier.setdefault(row.key, row.number)
    if errors:
        raise error_class(errors)
    return checked
