"""The contracts register as a spreadsheet (django-import-export): export to CSV or XLSX, and import
of an existing register with a dry-run preview and an error against each bad row.

Imported rows become draft contracts through `services.create_contract` (origin "imported"), so the
same rules and audit events apply as on the staff pages. A row for an existing draft contract
updates it; a row for a live contract is refused (change a live contract by variation).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, resources, widgets

from commissioning.dates import financial_year_of
from commissioning.models import Authority
from suppliers.models import Supplier

from . import services
from .models import Contract

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MONEY_TEXT = re.compile(r"^\d+(\.\d{1,2})?$")


class MoneyWidget(widgets.Widget):
    """Pounds and pence: 296973, 296,973.00 or £296,973. Anything else is a row error."""

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            text = f"{Decimal(str(value)):.2f}"
        else:
            text = str(value).replace("£", "").replace(",", "").strip()
        if not MONEY_TEXT.match(text):
            raise ValueError(f"“{value}” is not an amount in pounds: write it like 296973 or £296,973.00")
        try:
            return Decimal(text).quantize(Decimal("0.01"))
        except InvalidOperation as exc:
            raise ValueError(f"“{value}” is not an amount in pounds") from exc

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{value:.2f}"


class NamedWidget(widgets.ForeignKeyWidget):
    """A related record named exactly (case-insensitively); an unknown name is a row error."""

    def __init__(self, model, field: str, noun: str, hint: str):
        super().__init__(model, field)
        self.noun = noun
        self.hint = hint

    def clean(self, value, row=None, **kwargs):
        name = str(value or "").strip()
        if not name:
            raise ValueError(f"Enter the {self.noun}")
        match = self.model.objects.filter(**{f"{self.field}__iexact": name}).first()
        if match is None:
            raise ValueError(f"No {self.noun} called “{name}” is registered: {self.hint}")
        return match


class LondonDateWidget(widgets.DateWidget):
    """Dates written 2018-04-01 or 01/04/2018 (UK order)."""

    def __init__(self):
        super().__init__(format=None)
        self.formats = ("%Y-%m-%d", "%d/%m/%Y")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, date):
            return value
        try:
            return super().clean(value, row=row, **kwargs)
        except ValueError as exc:
            raise ValueError(f"“{value}” is not a date: write it like 2018-04-01 or 01/04/2018") from exc

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class OptionsWidget(widgets.Widget):
    """Extension options in months, in order: "12+12" is two one-year options; empty is none."""

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").replace(" ", "")
        if not text:
            return []
        parts = text.split("+")
        if not all(part.isdigit() and 0 < int(part) <= 120 for part in parts):
            raise ValueError(f"“{value}” is not a list of options in months: write it like 12+12")
        return [int(part) for part in parts]


class KindWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip().lower()
        for choice, label in Contract.Kind.choices:
            if text in {choice, label.lower()} or (choice == "grant" and text == "grant"):
                return choice
        raise ValueError(f"“{value}” is not contract or grant")

    def render(self, value, obj=None, **kwargs):
        return value or ""


class ContractResource(resources.ModelResource):
    reference = fields.Field(attribute="reference", column_name="reference")
    title = fields.Field(attribute="title", column_name="service")
    kind = fields.Field(attribute="kind", column_name="contract_or_grant", widget=KindWidget())
    supplier = fields.Field(
        attribute="supplier",
        column_name="provider",
        widget=NamedWidget(Supplier, "legal_name", "provider", "register the organisation first"),
    )
    buying_authority = fields.Field(
        attribute="buying_authority",
        column_name="buying_authority",
        widget=NamedWidget(Authority, "name", "buying authority", "add the authority first"),
    )
    start_on = fields.Field(attribute="start_on", column_name="start_date", widget=LondonDateWidget())
    initial_end_on = fields.Field(attribute="initial_end_on", column_name="initial_end_date", widget=LondonDateWidget())
    extension_months = fields.Field(
        attribute="extension_months", column_name="extension_options_months", widget=OptionsWidget()
    )
    annual_value = fields.Field(attribute="annual_value", column_name="annual_value", widget=MoneyWidget())
    current_end_on = fields.Field(
        attribute="current_end_on", column_name="current_end_date", widget=LondonDateWidget(), readonly=True
    )
    total_value = fields.Field(column_name="total_value", readonly=True, widget=MoneyWidget())
    status = fields.Field(column_name="status", readonly=True)

    class Meta:
        model = Contract
        import_id_fields = ("reference",)
        fields = (
            "reference",
            "title",
            "kind",
            "supplier",
            "buying_authority",
            "start_on",
            "initial_end_on",
            "extension_months",
            "annual_value",
            "current_end_on",
            "total_value",
            "status",
        )
        export_order = fields
        use_transactions = True
        clean_model_instances = True
        skip_diff = False

    def get_export_queryset(self, request=None, **kwargs):
        return (
            Contract.objects.select_related("supplier", "buying_authority")
            .with_values(financial_year_of(timezone.localdate()))
            .prefetch_related("extension_options")
        )

    def dehydrate_extension_months(self, contract: Contract) -> str:
        return "+".join(str(o.months) for o in contract.extension_options.all())

    def dehydrate_annual_value(self, contract: Contract):
        value = getattr(contract, "year_value", None)
        return "" if value is None else f"{value:.2f}"

    def dehydrate_total_value(self, contract: Contract):
        return f"{contract.total_value_now:.2f}"

    def dehydrate_status(self, contract: Contract) -> str:
        return contract.status_label

    def dehydrate_supplier(self, contract: Contract) -> str:
        return contract.supplier.legal_name

    def dehydrate_buying_authority(self, contract: Contract) -> str:
        return contract.buying_authority.name

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            return "'" + value  # shown as text by spreadsheets, never run as a formula
        return value

    def import_instance(self, instance: Contract, row, **kwargs):
        if instance.pk and not instance.is_draft:
            raise ValidationError(
                {"reference": f"{instance.reference} is live: change it by recording a variation, not by import"}
            )
        super().import_instance(instance, row, **kwargs)
        if instance.initial_end_on:
            instance.current_end_on = instance.initial_end_on
        if instance.start_on and instance.initial_end_on and instance.initial_end_on <= instance.start_on:
            raise ValidationError({"initial_end_on": "The initial end date must be after the start date"})

    def save_instance(self, instance: Contract, is_create: bool, row, **kwargs):
        """Create or update through the services, so the rules and audit trail apply."""
        by = kwargs.get("user")
        if is_create:
            contract = services.create_contract(
                by=by,
                reference=instance.reference,
                title=instance.title,
                kind=instance.kind,
                supplier=instance.supplier,
                buying_authority=instance.buying_authority,
                start_on=instance.start_on,
                initial_end_on=instance.initial_end_on,
                extension_months=getattr(instance, "extension_months", []) or [],
                annual_value=getattr(instance, "annual_value", None),
                origin=Contract.Origin.IMPORTED,
            )
            instance.pk = contract.pk
            instance._state.adding = False
            return
        contract = Contract.objects.get(pk=instance.pk)
        services.update_contract(
            by=by,
            contract=contract,
            title=instance.title,
            kind=instance.kind,
            supplier=instance.supplier,
            buying_authority=instance.buying_authority,
            start_on=instance.start_on,
            initial_end_on=instance.initial_end_on,
        )
        annual = getattr(instance, "annual_value", None)
        if annual is not None:
            contract.refresh_from_db()
            for year, amount in services.spread_annual_value(
                contract.start_on, contract.initial_end_on, annual
            ).items():
                services.set_year_value(by=by, contract=contract, financial_year=year, amount=amount)
