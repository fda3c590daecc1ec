"""Importing an existing approved supplier list from a spreadsheet (CSV or XLSX), with a dry run
that shows every row's errors before anything is saved.

Rows are read and checked one by one against lookups loaded once per import (lots, suppliers,
areas, the appointments already on those lots), so reading a row costs no query. The valid rows
are saved together at the end by `services.import_appointments`, all or nothing, with one history
record per appointment and one audit event for the import; a row with an error saves nothing. A dry
run saves them too, inside the transaction that is rolled back, so its preview is what a real
import would do.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from import_export import fields, widgets

from commissioning import numbers
from commissioning.exports import SpreadsheetSafeModelResource
from commissioning.import_rows import RowsSavedTogether
from commissioning.models import Area
from commissioning.uploads import echo
from suppliers.models import Supplier

from . import services
from .models import Appointment, Lot


class AreasWidget(widgets.ManyToManyWidget):
    """Area names separated by semicolons, e.g. "Birmingham; Coventry"; an unknown name is an error."""

    def __init__(self):
        super().__init__(Area, separator=";", field="name")
        self.by_name: dict[str, Area] | None = None

    def preload(self) -> None:
        """Read every area once, so that cleaning a row costs no query."""
        self.by_name = {area.name: area for area in Area.objects.all()}

    def clean(self, value, row=None, **kwargs):
        names = list(dict.fromkeys(name.strip() for name in str(value or "").split(";") if name.strip()))
        if not names:
            raise ValueError("Give at least one area, separated by semicolons")
        if self.by_name is None:
            areas = list(Area.objects.filter(name__in=names))
        else:
            areas = [self.by_name[name] for name in names if name in self.by_name]
        unknown = sorted(set(names) - {area.name for area in areas})
        if unknown:
            raise ValueError(f"Unknown area: {echo(', '.join(unknown))}")
        return areas


class AppointmentResource(RowsSavedTogether, SpreadsheetSafeModelResource):
    framework_reference = fields.Field(
        column_name="framework_reference", attribute="lot__framework__reference", readonly=True
    )
    lot_number = fields.Field(column_name="lot_number", attribute="lot__number", readonly=True)
    supplier_name = fields.Field(column_name="supplier", attribute="supplier__legal_name", readonly=True)
    areas = fields.Field(column_name="areas", attribute="areas", widget=AreasWidget())
    starts_on = fields.Field(column_name="starts_on", attribute="starts_on", widget=widgets.DateWidget("%Y-%m-%d"))
    consent_share_with_partners = fields.Field(
        column_name="share_with_partners", attribute="consent_share_with_partners", widget=widgets.BooleanWidget()
    )
    consent_publish = fields.Field(column_name="publish", attribute="consent_publish", widget=widgets.BooleanWidget())
    status = fields.Field(column_name="status", attribute="status", readonly=True)

    class Meta:
        model = Appointment
        fields = (
            "framework_reference",
            "lot_number",
            "supplier_name",
            "areas",
            "starts_on",
            "consent_share_with_partners",
            "consent_publish",
            "status",
        )
        import_id_fields = ()
        skip_unchanged = False
        use_transactions = True
        # Rows are collected by `save_instance` and saved together in `after_import`: no savepoint or
        # write per row. The preview shows each row's values (`after_import_row`) instead of a diff,
        # which would need every row saved first.
        use_bulk = True
        skip_diff = True

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self._reset()

    def _reset(self) -> None:
        self._reset_rows()
        self._lots: dict[tuple[str, int], Lot] = {}
        self._suppliers: dict[str, Supplier] = {}
        self._unregistered: dict[str, Supplier] = {}
        self._appointments: dict[tuple[int, int], Appointment] = {}

    def before_import(self, dataset, **kwargs):
        missing = {"framework_reference", "lot_number", "supplier", "areas", "starts_on"} - set(dataset.headers or [])
        if missing:
            raise ValueError(f"The file is missing the column(s): {echo(', '.join(sorted(missing)))}")
        self._reset()
        references = {str(value or "").strip() for value in dataset["framework_reference"]}
        lots = Lot.objects.select_related("framework").filter(framework__reference__in=references)
        self._lots = {(lot.framework.reference, lot.number): lot for lot in lots}
        self._suppliers = services.suppliers_by_name()
        self._appointments = {
            (a.lot_id, a.supplier_id): a
            for batch in services.chunked(lot.pk for lot in self._lots.values())
            for a in Appointment.objects.filter(lot__in=batch)
        }
        self.fields["areas"].widget.preload()

    def get_or_init_instance(self, instance_loader, row):
        lot, supplier = self._resolve(row)
        existing = self._appointments.get((lot.pk, supplier.pk)) if supplier.pk else None
        if existing is not None:
            existing.lot, existing.supplier = lot, supplier  # the same records, already read
            return existing, False
        return Appointment(lot=lot, supplier=supplier, starts_on=date.today()), True

    def _resolve(self, row) -> tuple[Lot, Supplier]:
        reference = str(row.get("framework_reference") or "").strip()
        number = str(row.get("lot_number") or "").strip()
        name = str(row.get("supplier") or "").strip()
        if not reference or not number or not name:
            raise ValidationError({NON_FIELD_ERRORS: ["Each row needs framework_reference, lot_number and supplier"]})
        try:
            lot = self._lots.get((reference, numbers.whole_number(number, max_digits=5)))
        except numbers.NotANumber:
            lot = None
        if lot is None:
            raise ValidationError({"lot_number": [f"No lot {echo(number)} on framework {echo(reference)}"]})
        key = services.supplier_name_key(name)
        supplier = self._suppliers.get(key)
        if supplier is None:
            # Registered by `services.import_appointments` when the import is saved (and, in a dry
            # run, rolled back with it); until then the rows naming it share this unsaved record.
            supplier = self._unregistered.setdefault(key, Supplier(legal_name=name, kind=Supplier.Kind.OTHER))
        return lot, supplier

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)  # the dates and consents; areas are below
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            areas = tuple(self.fields["areas"].clean(row))
        except ValueError as exc:
            errors["areas"] = [str(exc)]
        if errors:
            raise ValidationError(errors)
        imported = services.ImportedAppointment(
            number=kwargs.get("row_number") or len(self._instances) + 1,
            lot=instance.lot,
            supplier_name=str(row.get("supplier") or "").strip(),
            areas=areas,
            starts_on=instance.starts_on,
            consent_share_with_partners=bool(instance.consent_share_with_partners),
            consent_publish=bool(instance.consent_publish),
        )
        services.check_imported_appointment(imported, earlier=self._earlier)
        instance._imported = imported

    def before_save_instance(self, instance, row, **kwargs):
        instance._change_reason = services.IMPORT_CHANGE_REASON
        instance._history_user = self.user

    def after_import(self, dataset, result, **kwargs):
        if not self._may_save_rows(result, kwargs):
            return
        outcome = services.import_appointments(by=self.user, rows=self._pending)
        self._saved_as(outcome.appointments)
        for number, appointment in outcome.appointments.items():
            instance = self._instances[number]
            if instance.supplier.pk is None:  # registered by the import
                instance.supplier = appointment.supplier
