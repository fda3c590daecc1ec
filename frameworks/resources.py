"""Importing an existing approved supplier list from a spreadsheet (CSV or XLSX), with a dry run
that shows every row's errors before anything is saved."""

from __future__ import annotations

from datetime import date

from import_export import fields, resources, widgets

from commissioning.audit import record
from commissioning.models import Area
from suppliers.models import Supplier

from .models import Appointment, Lot


class AreasWidget(widgets.ManyToManyWidget):
    """Area names separated by semicolons, e.g. "Birmingham; Coventry"; an unknown name is an error."""

    def __init__(self):
        super().__init__(Area, separator=";", field="name")

    def clean(self, value, row=None, **kwargs):
        names = [name.strip() for name in str(value or "").split(";") if name.strip()]
        if not names:
            raise ValueError("Give at least one area, separated by semicolons")
        areas = list(Area.objects.filter(name__in=names))
        unknown = sorted(set(names) - {area.name for area in areas})
        if unknown:
            raise ValueError(f"Unknown area: {', '.join(unknown)}")
        return areas


class AppointmentResource(resources.ModelResource):
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

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def get_or_init_instance(self, instance_loader, row):
        lot, supplier = self._resolve(row)
        existing = Appointment.objects.filter(lot=lot, supplier=supplier).first()
        if existing is not None:
            return existing, False
        return Appointment(lot=lot, supplier=supplier, starts_on=date.today()), True

    def _resolve(self, row) -> tuple[Lot, Supplier]:
        reference = str(row.get("framework_reference") or "").strip()
        number = str(row.get("lot_number") or "").strip()
        name = str(row.get("supplier") or "").strip()
        if not reference or not number or not name:
            raise ValueError("Each row needs framework_reference, lot_number and supplier")
        try:
            lot = Lot.objects.get(framework__reference=reference, number=int(float(number)))
        except (Lot.DoesNotExist, ValueError) as exc:
            raise ValueError(f"No lot {number} on framework {reference}") from exc
        supplier = Supplier.objects.filter(legal_name__iexact=name).first()
        if supplier is None:
            # A dry run happens inside a transaction that is rolled back, so this is undone too.
            supplier = Supplier.objects.create(legal_name=name, kind=Supplier.Kind.OTHER)
        return lot, supplier

    def before_import(self, dataset, **kwargs):
        missing = {"framework_reference", "lot_number", "supplier", "areas", "starts_on"} - set(dataset.headers or [])
        if missing:
            raise ValueError(f"The file is missing the column(s): {', '.join(sorted(missing))}")

    def before_save_instance(self, instance, row, **kwargs):
        instance._change_reason = "Imported from an existing approved list"
        instance._history_user = self.user

    def after_import(self, dataset, result, **kwargs):
        if not kwargs.get("dry_run") and not result.has_errors() and not result.has_validation_errors():
            record(
                "appointments.imported",
                by=self.user,
                data={
                    "rows": len(dataset),
                    "new": result.totals.get("new", 0),
                    "updated": result.totals.get("update", 0),
                },
            )
