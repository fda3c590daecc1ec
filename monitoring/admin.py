"""Performance monitoring in the admin, the officers' workplace.

KPI templates and their indicators are edited (and imported or exported) here. A return's lifecycle is
read-only: officers accept it with an admin action that calls the same service as the review page, or
open the review page to return it with comments. An agreed due date and a contract's targets are changed
through the services, so the audit trail records them.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from import_export.admin import ExportMixin, ImportExportMixin

from commissioning.admin import ReadOnlyInline
from commissioning.imports import FORMATS, ImportFileMessagesMixin
from commissioning.numbers import ascii_number_formfield
from contracts.admin import AuthorityScopedAdmin
from contracts.models import Contract

from . import services
from .models import (
    ContractIndicator,
    Indicator,
    KPITemplate,
    QuarterlyReturn,
    ReturnPeriod,
    ReturnReview,
    ReturnValue,
)
from .resources import INDICATOR_MEASURE_FIELDS, IndicatorResource, QuarterlyReturnResource


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["order", "code", "name", *INDICATOR_MEASURE_FIELDS]
    show_change_link = True


@admin.register(KPITemplate)
class KPITemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "lot", "is_default", "indicator_count", "updated_at"]
    list_filter = ["is_default", "lot__framework"]
    list_select_related = ["lot__framework"]
    search_fields = ["name", "lot__title", "lot__framework__reference"]
    inlines = [IndicatorInline]

    @admin.display(description="indicators")
    def indicator_count(self, obj: KPITemplate) -> int:
        return obj.indicators.count()


@admin.register(Indicator)
class IndicatorAdmin(ImportFileMessagesMixin, ImportExportMixin, admin.ModelAdmin):
    resource_classes = [IndicatorResource]
    formats = FORMATS
    list_display = ["code", "name", "template", "question", "kind", "unit", "direction", "default_target"]
    list_filter = ["template", "question", "kind", "unit", "direction"]
    list_select_related = ["template"]
    search_fields = ["code", "name", "template__name"]
    ordering = ["template", "order", "pk"]


@admin.register(ReturnPeriod)
class ReturnPeriodAdmin(admin.ModelAdmin):
    list_display = ["label", "starts_on", "ends_on", "due_on", "return_count"]
    list_filter = ["financial_year", "quarter"]
    ordering = ["-financial_year", "-quarter"]
    date_hierarchy = "due_on"

    def get_readonly_fields(self, request, obj=None):
        return ["starts_on", "ends_on"] if obj is not None else []

    @admin.display(description="returns")
    def return_count(self, obj: ReturnPeriod) -> int:
        return obj.returns.count()

    def save_model(self, request, obj, form, change):
        if not change:
            quarter = obj.as_quarter
            obj.starts_on, obj.ends_on = quarter.start, quarter.end
            obj.due_on = obj.due_on or quarter.return_due
        super().save_model(request, obj, form, change)


class ReturnValueInline(ReadOnlyInline):
    model = ReturnValue
    fields = ["indicator", "value", "numerator", "denominator", "breakdowns"]
    readonly_fields = fields
    verbose_name = "figure"


class ReturnReviewInline(ReadOnlyInline):
    model = ReturnReview
    fields = ["decision", "comments", "decided_by", "decided_at"]
    readonly_fields = fields
    verbose_name = "review"


class QuarterlyReturnForm(forms.ModelForm):
    due_date_reason = forms.CharField(
        label="Why the due date changed",
        required=False,
        help_text="Required when you change the due date, for example the date agreed with the provider.",
    )

    class Meta:
        formfield_callback = ascii_number_formfield
        model = QuarterlyReturn
        fields = ["due_on"]

    def clean(self):
        data = super().clean()
        if "due_on" in self.changed_data and not (data.get("due_date_reason") or "").strip():
            self.add_error("due_date_reason", "Enter why the due date changed")
        return data


class TimelinessFilter(admin.SimpleListFilter):
    title = "on time, late or overdue"
    parameter_name = "timeliness"

    def lookups(self, request, model_admin):
        return [("late", "Late"), ("overdue", "Overdue (draft past its due date)")]

    def queryset(self, request, queryset):
        from django.db.models import F

        if self.value() == "late":
            return queryset.filter(submitted_at__date__gt=F("due_on"))
        if self.value() == "overdue":
            return queryset.filter(submitted_at__isnull=True, due_on__lt=timezone.localdate())
        return queryset


@admin.register(QuarterlyReturn)
class QuarterlyReturnAdmin(AuthorityScopedAdmin, ExportMixin, admin.ModelAdmin):
    authority_lookups = Contract.read_by("contract__")
    contract_path = "contract"
    form = QuarterlyReturnForm
    resource_classes = [QuarterlyReturnResource]
    formats = FORMATS
    list_display = ["contract", "period", "status", "due_on", "submitted_at", "timeliness_display", "accepted_at"]
    list_filter = ["status", TimelinessFilter, "period", "contract__lot"]
    list_select_related = ["contract", "period"]
    search_fields = ["contract__reference", "contract__title", "contract__supplier__legal_name"]
    date_hierarchy = "submitted_at"
    inlines = [ReturnValueInline, ReturnReviewInline]
    actions = ["accept_selected"]
    fieldsets = [
        (None, {"fields": ["contract", "period", "status", "review_page"]}),
        ("Due date", {"fields": ["due_on", "due_date_reason"]}),
        ("Narrative", {"fields": ["achievements", "challenges", "risks", "emerging_themes", "case_study"]}),
        (
            "Lifecycle (recorded by the services)",
            {
                "fields": [
                    "document_name",
                    "created_by",
                    "created_at",
                    "submitted_at",
                    "submitted_by",
                    "last_submitted_at",
                    "accepted_at",
                    "accepted_by",
                ]
            },
        ),
    ]
    # Everything but the due date, which officers agree with the provider, is the services' to change.
    readonly_fields = [name for title, fieldset in fieldsets if title != "Due date" for name in fieldset["fields"]]

    def has_add_permission(self, request):
        return False  # providers start returns; officers never make them up

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="on time, late or overdue")
    def timeliness_display(self, obj: QuarterlyReturn) -> str:
        return obj.timeliness_on(timezone.localdate()).replace("_", " ")

    @admin.display(description="review page")
    def review_page(self, obj: QuarterlyReturn) -> str:
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">Open the review page</a> to see the figures against targets and accept the return or '
            "return it for amendment",
            reverse("monitoring:review", args=[obj.pk]),
        )

    def save_model(self, request, obj, form, change):
        if change and "due_on" in form.changed_data:
            new_due = obj.due_on
            obj.refresh_from_db()
            try:
                services.set_due_date(
                    quarterly_return=obj, due_on=new_due, reason=form.cleaned_data["due_date_reason"], by=request.user
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))

    @admin.action(description="Accept the selected returns (submitted or resubmitted ones)")
    def accept_selected(self, request, queryset):
        accepted, refused = 0, []
        for quarterly_return in queryset.select_related("contract", "period"):
            try:
                services.accept_return(quarterly_return=quarterly_return, by=request.user)
                accepted += 1
            except ValidationError as error:
                refused.append(f"{quarterly_return}: {' '.join(error.messages)}")
        if accepted:
            messages.success(request, f"{accepted} return{'s' if accepted != 1 else ''} accepted.")
        for message in refused:
            messages.error(request, message)


class ContractIndicatorForm(forms.ModelForm):
    class Meta:
        formfield_callback = ascii_number_formfield
        model = ContractIndicator
        fields = ["target", "amber_margin"]


@admin.register(ContractIndicator)
class ContractIndicatorAdmin(admin.ModelAdmin):
    form = ContractIndicatorForm
    list_display = ["contract", "code", "name", "question", "unit", "target", "amber_margin"]
    list_filter = ["question", "unit", "contract__lot"]
    list_select_related = ["contract"]
    search_fields = ["contract__reference", "code", "name"]
    readonly_fields = ["contract", "code", "name", "question", "kind", "unit", "direction", "commitment"]
    fields = [*readonly_fields, "target", "amber_margin"]  # only the targets are changed here

    def has_add_permission(self, request):
        return False  # made from the template by the service

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            services.set_targets(
                contract=obj.contract,
                targets={obj.pk: (form.cleaned_data["target"], form.cleaned_data["amber_margin"])},
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
