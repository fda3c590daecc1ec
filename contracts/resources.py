"""The contracts register as a spreadsheet (django-import-export): export to CSV or XLSX, and import
of an existing register with a dry-run preview and an error against each bad row.

Each row is read and checked against the contract rules (`services.check_imported_contract`) using
lookups loaded once per import, so reading a row costs no query and the preview puts each error
against its row. The valid rows are then saved together by `services.import_contracts`, all or
nothing: new rows become draft contracts (origin "imported") with their extension options and year
values, a row for an existing draft contract updates it, and the import writes one audit event. A
row for a live contract is refused (change a live contract by variation). A dry run saves the rows
too, inside the transaction that is rolled back, so its preview is what a real import would do.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, widgets
from import_export.instance_loaders import ModelInstanceLoader

from commissioning import numbers
from commissioning.dates import financial_year_of
from commissioning.exports import SpreadsheetSafeModelResource
from commissioning.import_rows import RowsSavedTogether
from commissioning.models import Authority
from commissioning.uploads import echo
from frameworks.services import chunked
from suppliers.models import Supplier

from . import services
from .models import Contract


class MoneyWidget(widgets.Widget):
    """Pounds and pence: 296973, 296,973.00 or £296,973. Anything else is a row error."""

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            value = f"{Decimal(str(value)):.2f}"
        try:
            amount = numbers.parse_number(value, pounds=True, max_digits=15)
        except (numbers.NotANumber, InvalidOperation):
            amount = None
        if amount is None or amount < 0 or amount != amount.quantize(Decimal("0.01")):
            raise ValueError(f"“{echo(value)}” is not an amount in pounds: write it like 296973 or £296,973.00")
        return amount.quantize(Decimal("0.01"))

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{value:.2f}"


class NamedWidget(widgets.ForeignKeyWidget):
    """A related record named exactly (case-insensitively); an unknown name is a row error."""

    def __init__(self, model, field: str, noun: str, hint: str):
        super().__init__(model, field)
        self.noun = noun
        self.hint = hint
        self.by_name: dict[str, object] | None = None

    def preload(self) -> None:
        """Read every record once, so that cleaning a row costs no query. Where two names differ only in
        case the first in name order wins, as `.filter(name__iexact=...).first()` chose."""
        self.by_name = {}
        for obj in self.model.objects.order_by(self.field):
            self.by_name.setdefault(str(getattr(obj, self.field)).strip().lower(), obj)

    def clean(self, value, row=None, **kwargs):
        name = str(value or "").strip()
        if not name:
            raise ValueError(f"Enter the {self.noun}")
        if self.by_name is None:
            match = self.model.objects.filter(**{f"{self.field}__iexact": name}).first()
        else:
            match = self.by_name.get(name.lower())
        if match is None:
            raise ValueError(f"No {self.noun} called “{echo(name)}” is registered: {self.hint}")
        return match


class LondonDateWidget(widgets.DateWidget):
    """Dates written 2018-04-01 or 01/04/2018 (UK order)."""

    def __init__(self):
        super().__init__(format=None)
        self.formats = ("%Y-%m-%d", "%d/%m/%Y")
        self.parsed: dict[str, date | None] = {}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, date):
            return value
        if isinstance(value, str) and value in self.parsed:  # a register repeats its dates row after row
            return self.parsed[value]
        try:
            cleaned = super().clean(value, row=row, **kwargs)
        except ValueError as exc:
            raise ValueError(f"“{echo(value)}” is not a date: write it like 2018-04-01 or 01/04/2018") from exc
        if isinstance(value, str):
            self.parsed[value] = cleaned
        return cleaned

    def render(self, value, obj=None, **kwargs):
        """A date cell in a workbook, 2018-04-01 in a CSV."""
        if not value:
            return ""
        return value if kwargs.get("force_native_type") else value.isoformat()


class OptionsWidget(widgets.Widget):
    """Extension options in months, in order: "12+12" is two one-year options; empty is none."""

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").replace(" ", "")
        if not text:
            return []
        parts = text.split("+")
        if not all(re.fullmatch(r"[0-9]{1,3}", part) and 0 < int(part) <= 120 for part in parts):
            raise ValueError(f"“{echo(value)}” is not a list of options in months: write it like 12+12")
        return [int(part) for part in parts]


class KindWidget(widgets.Widget):
    # "contract" or "grant", or the label ("Grant agreement"), in any case.
    NAMES = {
        **{choice: choice for choice in Contract.Kind.values},
        **{label.lower(): choice for choice, label in Contract.Kind.choices},
    }

    def clean(self, value, row=None, **kwargs):
        choice = self.NAMES.get(str(value or "").strip().lower())
        if choice is None:
            raise ValueError(f"“{echo(value)}” is not contract or grant")
        return choice

    def render(self, value, obj=None, **kwargs):
        return value or ""


class ContractLoader(ModelInstanceLoader):
    """Reads every contract the file names up front, a few hundred references per query, instead of
    one query per row."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.field = resource.fields["reference"]
        references = set()
        if dataset is not None and self.field.column_name in (dataset.headers or []):
            references = {str(value) for value in dataset[self.field.column_name] if value not in (None, "")}
        self.contracts = {
            contract.reference: contract
            for batch in chunked(references)
            for contract in self.get_queryset().filter(reference__in=batch).prefetch_related("extension_options")
        }

    def get_instance(self, row):
        reference = self.field.clean(row)
        return None if reference in (None, "") else self.contracts.get(str(reference))


# The model fields a row sets, checked by `Contract.clean_fields`; the others keep their defaults (a new
# contract) or stored values (an existing draft). The provider and the buying authority are found by
# name in lookups loaded once per import, so they need no query per row to check either.
CHECKED_FIELDS = {"reference", "title", "kind", "start_on", "initial_end_on", "current_end_on"}
UNCHECKED_FIELDS = [f.name for f in Contract._meta.concrete_fields if f.name not in CHECKED_FIELDS]


class ContractResource(RowsSavedTogether, SpreadsheetSafeModelResource):
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
        instance_loader_class = ContractLoader  # the model's own checks: see `validate_instance`
        # Rows are collected by `save_instance` and saved together in `after_import`: no savepoint or
        # write per row. The preview shows each row's values (`after_import_row`) instead of a diff,
        # which would need every row saved first.
        use_bulk = True
        skip_diff = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._reset()

    def _reset(self) -> None:
        self._reset_rows()

    def before_import(self, dataset, **kwargs):
        self._reset()
        self.fields["supplier"].widget.preload()
        self.fields["buying_authority"].widget.preload()

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

    def import_instance(self, instance: Contract, row, **kwargs):
        if instance.pk and not instance.is_draft:
            raise ValidationError(
                {"reference": f"{instance.reference} is live: change it by recording a variation, not by import"}
            )
        instance._row_number = kwargs.get("row_number") or len(self._instances) + 1
        super().import_instance(instance, row, **kwargs)
        if instance.initial_end_on:
            instance.current_end_on = instance.initial_end_on

    def validate_instance(self, instance: Contract, import_validation_errors=None, validate_unique=True):
        """The model's checks of the fields a row sets (length, required, choices), then the contract
        rules of `services.check_imported_contract`, all in memory: no query per row."""
        errors = dict(import_validation_errors or {})
        try:
            instance.clean_fields(exclude=[*errors, *UNCHECKED_FIELDS])
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if not errors:
            imported = services.ImportedContract(
                number=instance._row_number,
                reference=instance.reference,
                title=instance.title,
                kind=instance.kind,
                supplier=instance.supplier,
                buying_authority=instance.buying_authority,
                start_on=instance.start_on,
                initial_end_on=instance.initial_end_on,
                extension_months=tuple(getattr(instance, "extension_months", None) or ()),
                annual_value=getattr(instance, "annual_value", None),
            )
            try:
                services.check_imported_contract(
                    imported, existing=instance if instance.pk else None, earlier=self._earlier
                )
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
            else:
                instance._imported = imported
        if errors:
            raise ValidationError(errors)

    def after_import(self, dataset, result, **kwargs):
        if self._may_save_rows(result, kwargs):
            self._saved_as(services.import_contracts(by=kwargs.get("user"), rows=self._pending).contracts)
        super().after_import(dataset, result, **kwargs)
