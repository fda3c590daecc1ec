"""Before and after: a record's field values as the audit trail keeps them, and one audited way to save
or delete a record that an officer edits as a whole (in the admin, say). Each app's services check their
own rule first, then call `save_audited` or `delete_audited`, so every such change leaves an event that
says what each changed field was and became."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction

from .audit import record
from .models import User


def _plain(field: models.Field, obj: models.Model) -> Any:
    if field.is_relation:
        related = getattr(obj, field.name)
        return None if related is None else str(related)
    value = field.value_from_object(obj)
    if isinstance(field, models.FileField):
        return value.name or ""
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """Field name -> plain value: related records by their name, files by their file name, many-to-many
    relations (once the record is saved) as a sorted list of names."""
    wanted = set(fields) if fields is not None else None
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key or (wanted is not None and field.name not in wanted):
            continue
        values[field.name] = _plain(field, obj)
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            if wanted is None or field.name in wanted:
                values[field.name] = sorted(str(related) for related in getattr(obj, field.name).all())
    return values


def differences(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"before": ..., "after": ...}} for each field whose value changed."""
    return {
        name: {"before": before.get(name), "after": value} for name, value in after.items() if before.get(name) != value
    }


def stored_snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The record as it is in the database now (empty for a record not saved yet)."""
    if obj.pk is None:
        return {}
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    return snapshot(stored, fields) if stored is not None else {}


@transaction.atomic
def save_audited(
    obj: models.Model,
    *,
    by: User | None,
    action: str,
    many: Mapping[str, Iterable[models.Model]] | None = None,
    data: Mapping[str, Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """Validate and save `obj` (and set its many-to-many relations from `many`), then record
    `<action>.created` or `<action>.changed` with the before and after of every changed field. Nothing is
    recorded when nothing changed. Returns the changes."""
    created = obj.pk is None
    before = stored_snapshot(obj)
    obj.full_clean()
    obj.save()
    for name, related in (many or {}).items():
        getattr(obj, name).set(list(related))
    changes = differences(before, snapshot(obj))
    if created or changes:
        record(
            f"{action}.created" if created else f"{action}.changed",
            by=by,
            obj=obj,
            data={**(data or {}), "changes": changes},
        )
    return changes


@transaction.atomic
def delete_audited(obj: models.Model, *, by: User | None, action: str, data: Mapping[str, Any] | None = None) -> None:
    """Delete `obj`, recording `<action>.deleted` with every field's value before."""
    record(f"{action}.deleted", by=by, obj=obj, data={**(data or {}), "before": snapshot(obj)})
    obj.delete()
