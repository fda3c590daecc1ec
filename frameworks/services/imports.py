"""Importing an existing approved list: checked row by row, written in batches with its history."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction

from commissioning.audit import record
from commissioning.import_rows import check_each_row
from commissioning.models import Area, User
from suppliers.models import Supplier

from .. import coverage_tallies
from ..models import (
    Appointment,
    Lot,
)
from .decisions import _appointment_changed

IMPORT_CHANGE_REASON = "Imported from an existing approved list"


IMPORT_BATCH = 1000  # rows per INSERT/UPDATE (Django lowers it further where the database needs)


LOOKUP_CHUNK = 500  # values per `IN (...)` lookup, well inside every database's parameter limit


def chunked(values: Iterable, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    """`values` in lists of at most `size`, for `__in` lookups that must stay under a parameter limit."""
    batch: list = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def bulk_history(
    model: type[models.Model], objs: Sequence[models.Model], *, by: User | None, reason: str, update: bool = False
) -> None:
    """Write the django-simple-history record that `save()` would have written for each saved object,
    including the many-to-many rows of the fields the history tracks.

    Why: a bulk insert or update sends no signals, so it writes no history; simple_history's own
    `bulk_history_create` writes the records but not their many-to-many rows, which the approved
    list's history page reads (the areas covered at each point).
    """
    if not objs:
        return
    manager = getattr(model, model._meta.simple_history_manager_attribute)
    records = manager.bulk_history_create(
        objs, batch_size=IMPORT_BATCH, update=update, default_user=by, default_change_reason=reason
    )
    if not records:  # history is switched off (SIMPLE_HISTORY_ENABLED = False)
        return
    history_model = manager.model
    pk_name = model._meta.pk.attname  # the history keeps the object's primary key under the same name
    record_of = {getattr(record, pk_name): record for record in records}
    for m2m_field in history_model._history_m2m_fields:
        m2m_history = getattr(history_model, m2m_field.name).model
        through = m2m_field.remote_field.through
        own = m2m_field.m2m_field_name()
        own_attname = through._meta.get_field(own).attname
        copied = [f.attname for f in through._meta.concrete_fields]
        rows = []
        for batch in chunked(record_of):
            for link in through.objects.filter(**{f"{own}__in": batch}).order_by("pk").values(*copied):
                rows.append(m2m_history(history=record_of[link[own_attname]], **link))
        m2m_history.objects.bulk_create(rows, batch_size=IMPORT_BATCH)


@dataclass(frozen=True)
class ImportedAppointment:
    """One row of an existing approved list, already read from the spreadsheet (see `resources.py`)."""

    number: int  # the row's number in the file, to put an error against it
    lot: Lot
    supplier_name: str
    areas: tuple[Area, ...]
    starts_on: date
    consent_share_with_partners: bool = False
    consent_publish: bool = False

    @property
    def key(self) -> tuple[int, str]:
        """A supplier is on a lot once: the lot and the supplier's name, compared case-insensitively."""
        return self.lot.pk, supplier_name_key(self.supplier_name)


@dataclass
class ApprovedListImport:
    """What `import_appointments` saved: the appointment of each row (by row number), and the suppliers
    it had to register."""

    appointments: dict[int, Appointment] = dataclasses.field(default_factory=dict)
    created: list[Appointment] = dataclasses.field(default_factory=list)
    updated: list[Appointment] = dataclasses.field(default_factory=list)
    new_suppliers: list[Supplier] = dataclasses.field(default_factory=list)


class ImportRowsError(ValidationError):
    """Rows of an import that break a rule, by row number. Nothing of the import is saved."""

    def __init__(self, row_errors: Mapping[int, ValidationError]):
        self.row_errors = dict(sorted(row_errors.items()))
        super().__init__([f"Row {number}: {' '.join(error.messages)}" for number, error in self.row_errors.items()])


def supplier_name_key(name: str) -> str:
    """Names are matched as `legal_name__iexact` matched them: trimmed, ignoring case."""
    return name.strip().lower()


def suppliers_by_name() -> dict[str, Supplier]:
    """Every supplier by `supplier_name_key` of its legal name, read in one query; where two names differ
    only in case, the first in name order (what `.filter(legal_name__iexact=...).first()` returned)."""
    found: dict[str, Supplier] = {}
    for supplier in Supplier.objects.order_by("legal_name"):
        found.setdefault(supplier_name_key(supplier.legal_name), supplier)
    return found


def check_imported_appointment(row: ImportedAppointment, *, earlier: Mapping[tuple[int, str], int]) -> None:
    """The rules for one row of an imported approved list, checked in memory (no query) so a preview
    can put each error against its row. `earlier` maps `row.key` of the rows before it to their number.
    Raises a `ValidationError` keyed by the spreadsheet column."""
    name = row.supplier_name.strip()
    if not name:
        raise ValidationError({NON_FIELD_ERRORS: ["Each row needs framework_reference, lot_number and supplier"]})
    if len(name) > Supplier._meta.get_field("legal_name").max_length:
        raise ValidationError({"supplier": [f"“{name[:40]}…” is too long for a supplier's legal name"]})
    if not row.areas:
        raise ValidationError({"areas": ["Give at least one area, separated by semicolons"]})
    if row.key in earlier:
        raise ValidationError(
            {
                "supplier": [
                    f"Row {earlier[row.key]} already puts {name} on lot {row.lot.number}: "
                    "give each supplier once per lot, with all its areas"
                ]
            }
        )


@transaction.atomic
def import_appointments(*, by: User | None, rows: Sequence[ImportedAppointment]) -> ApprovedListImport:
    """Put the suppliers of an existing approved list on their lots: all rows or none.

    A supplier not yet registered is registered (kind "other"); a supplier already on the lot has its
    start date, consents and areas replaced by the row's, keeping its status. Each appointment gets
    one history record (with its areas), and the import one audit event.

    Why a bulk service: saving row by row cost about ten queries, two history records and a savepoint
    per row, so a 10,000-row list took minutes. Here the rules are checked in memory
    (`check_imported_appointment`) and the rows are written with a handful of bulk statements.
    """
    check_each_row(
        rows,
        lambda row, earlier: check_imported_appointment(row, earlier=earlier),
        refused=ValidationError,
        error_class=ImportRowsError,
    )

    outcome = ApprovedListImport()
    suppliers = suppliers_by_name()
    for row in rows:
        key = supplier_name_key(row.supplier_name)
        if key not in suppliers:
            suppliers[key] = Supplier(legal_name=row.supplier_name.strip(), kind=Supplier.Kind.OTHER)
            outcome.new_suppliers.append(suppliers[key])
    Supplier.objects.bulk_create(outcome.new_suppliers, batch_size=IMPORT_BATCH)

    lots = {row.lot.pk for row in rows}
    existing = {
        (a.lot_id, a.supplier_id): a
        for batch in chunked(lots)
        for a in Appointment.objects.select_for_update().filter(lot__in=batch)
    }
    for row in rows:
        supplier = suppliers[supplier_name_key(row.supplier_name)]
        appointment = existing.get((row.lot.pk, supplier.pk))
        if appointment is None:
            appointment = Appointment(lot=row.lot, supplier=supplier)
            outcome.created.append(appointment)
        else:
            appointment.supplier = supplier  # the record already read, not a query each
            outcome.updated.append(appointment)
        appointment.starts_on = row.starts_on
        appointment.consent_share_with_partners = row.consent_share_with_partners
        appointment.consent_publish = row.consent_publish
        outcome.appointments[row.number] = appointment
    Appointment.objects.bulk_create(outcome.created, batch_size=IMPORT_BATCH)
    Appointment.objects.bulk_update(
        outcome.updated, ["starts_on", "consent_share_with_partners", "consent_publish"], batch_size=IMPORT_BATCH
    )

    # Areas: what `appointment.areas.set(...)` does, for every appointment at once.
    through = Appointment.areas.through
    wanted = {outcome.appointments[row.number].pk: {area.pk for area in row.areas} for row in rows}
    stale: list[int] = []
    for batch in chunked(a.pk for a in outcome.updated):
        for link_pk, appointment_id, area_id in through.objects.filter(appointment_id__in=batch).values_list(
            "pk", "appointment_id", "area_id"
        ):
            if area_id in wanted[appointment_id]:
                wanted[appointment_id].discard(area_id)
            else:
                stale.append(link_pk)
    for batch in chunked(stale):
        through.objects.filter(pk__in=batch).delete()
    through.objects.bulk_create(
        (
            through(appointment_id=appointment_id, area_id=area_id)
            for appointment_id, area_ids in wanted.items()
            for area_id in sorted(area_ids)
        ),
        batch_size=IMPORT_BATCH,
    )

    coverage_tallies.recount(lots)
    bulk_history(Appointment, outcome.created, by=by, reason=IMPORT_CHANGE_REASON)
    bulk_history(Appointment, outcome.updated, by=by, reason=IMPORT_CHANGE_REASON, update=True)
    record(
        "appointments.imported",
        by=by,
        data={
            "rows": len(rows),
            "new": len(outcome.created),
            "updated": len(outcome.updated),
            "lots": sorted({f"{row.lot.framework.reference} lot {row.lot.number}" for row in rows}),
            "suppliers_registered": [supplier.legal_name for supplier in outcome.new_suppliers],
        },
    )
    previous = {a.pk: a.status for a in outcome.updated}
    for appointment in [*outcome.created, *outcome.updated]:
        _appointment_changed(appointment, previous.get(appointment.pk), by=by)
    return outcome
