"""Spreadsheets in the admin (django-import-export): KPI template indicators in and out, and the list
of returns out (for officers who track returns in a workbook). Figures are never imported here: providers
upload their own returns, which go through the same checks as the web form."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from import_export import fields, widgets

from commissioning import numbers
from commissioning.exports import SpreadsheetSafeModelResource
from commissioning.uploads import echo

from .models import BREAKDOWNS, Direction, Indicator, Kind, KPITemplate, QuarterlyReturn, Question, Unit

# What a template's indicator measures and how its figures are judged: the spreadsheet's columns, and the
# fields the admin's inline shows after the order, code and name.
INDICATOR_MEASURE_FIELDS = [
    "question",
    "kind",
    "unit",
    "direction",
    "default_target",
    "amber_margin",
    "fraction_entry",
    "numerator_label",
    "denominator_label",
    "breakdowns",
]


class ChoiceWidget(widgets.Widget):
    """A choice by its value or its label ("how_much" or "How much did we do?")."""

    def __init__(self, choices):
        self.choices = choices

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        for key, label in self.choices:
            if text.lower() in {str(key).lower(), str(label).lower()}:
                return key
        raise ValueError(f"“{echo(text)}” is not one of: " + ", ".join(str(label) for _key, label in self.choices))

    def render(self, value, obj=None, **kwargs):
        return dict(self.choices).get(value, value or "")


class BreakdownsWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        keys = [part.strip() for part in str(value or "").split(",") if part.strip()]
        unknown = [key for key in keys if key not in BREAKDOWNS]
        if unknown:
            raise ValueError(f"Unknown breakdowns: {echo(', '.join(unknown))}. Use: {', '.join(BREAKDOWNS)}")
        return keys

    def render(self, value, obj=None, **kwargs):
        return ", ".join(value or [])


class DecimalOrBlank(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        try:
            return numbers.parse_number(value, pounds=True, percent=True)
        except numbers.NotANumber as exc:
            raise ValueError(f"“{echo(value)}” is not a number") from exc

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{value.normalize():f}"


class IndicatorResource(SpreadsheetSafeModelResource):
    """One row per indicator, matched on template name and code (a row with a new code adds one)."""

    template = fields.Field(
        attribute="template", column_name="template", widget=widgets.ForeignKeyWidget(KPITemplate, "name")
    )
    question = fields.Field(attribute="question", column_name="question", widget=ChoiceWidget(Question.choices))
    kind = fields.Field(attribute="kind", column_name="kind", widget=ChoiceWidget(Kind.choices))
    unit = fields.Field(attribute="unit", column_name="unit", widget=ChoiceWidget(Unit.choices))
    direction = fields.Field(attribute="direction", column_name="direction", widget=ChoiceWidget(Direction.choices))
    default_target = fields.Field(attribute="default_target", column_name="default_target", widget=DecimalOrBlank())
    amber_margin = fields.Field(attribute="amber_margin", column_name="amber_margin", widget=DecimalOrBlank())
    breakdowns = fields.Field(attribute="breakdowns", column_name="breakdowns", widget=BreakdownsWidget())

    class Meta:
        model = Indicator
        import_id_fields = ["template", "code"]
        fields = [
            "template",
            "order",
            "code",
            "name",
            "counted",
            *INDICATOR_MEASURE_FIELDS,
            "guidance",
            "source",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True

    def before_save_instance(self, instance, row, **kwargs):
        if instance.amber_margin is None:
            instance.amber_margin = Decimal("0")

    def dehydrate_name(self, indicator):
        return indicator.name

    def dehydrate_guidance(self, indicator):
        return indicator.guidance


class QuarterlyReturnResource(SpreadsheetSafeModelResource):
    """Export only: which returns came in, when, and how they were decided."""

    contract = fields.Field(column_name="contract")
    provider = fields.Field(column_name="provider")
    lot = fields.Field(column_name="lot")
    quarter = fields.Field(column_name="quarter")
    status_label = fields.Field(column_name="status")
    timeliness = fields.Field(column_name="on time, late or overdue")

    class Meta:
        model = QuarterlyReturn
        fields = [
            "contract",
            "provider",
            "lot",
            "quarter",
            "status_label",
            "due_on",
            "submitted_at",
            "last_submitted_at",
            "accepted_at",
            "timeliness",
        ]
        export_order = fields

    def get_queryset(self):
        return QuarterlyReturn.objects.select_related("contract__supplier", "contract__lot__framework", "period")

    def dehydrate_contract(self, obj):
        return obj.contract.reference

    def dehydrate_provider(self, obj):
        return obj.contract.supplier.legal_name

    def dehydrate_lot(self, obj):
        lot = obj.contract.lot
        return f"{lot.framework.reference} lot {lot.number}" if lot else ""

    def dehydrate_quarter(self, obj):
        return obj.period.label

    def dehydrate_status_label(self, obj):
        return obj.get_status_display()

    def dehydrate_timeliness(self, obj):
        return obj.timeliness_on(timezone.localdate())
