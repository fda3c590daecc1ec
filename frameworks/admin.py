"""The officers' workplace for frameworks: set-up, selection records and the approved list.

Every save goes through `setup` (the rule of who runs the framework, and an audit event with each changed
field before and after); selection moves are made on the staff pages, linked from here.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from commissioning.admin import ReadOnlyInline
from commissioning.imports import FORMATS, ImportFileMessagesMixin
from commissioning.numbers import ascii_number_formfield

from . import setup
from .models import (
    Application,
    ApplicationLot,
    ApplicationWindow,
    Appointment,
    Clarification,
    EvaluationAssignment,
    Framework,
    FrameworkAward,
    Lot,
    SelectionQuestion,
)
from .resources import AppointmentResource

SAVERS = {
    Lot: lambda part, by: setup.save_lot(lot=part, by=by, confirmed=getattr(part, "confirmed_open_window", False)),
    ApplicationWindow: lambda part, by: setup.save_window(window=part, by=by),
    SelectionQuestion: lambda part, by: setup.save_question(question=part, by=by),
}


class ServiceInlinesMixin:
    """Inline parts (lots, windows, questions) are saved one by one through their service."""

    def save_formset(self, request, form, formset, change):
        for part in formset.save(commit=False):
            SAVERS[type(part)](part, request.user)


class LotForm(forms.ModelForm):
    """A lot added while the framework's application window is open asks for confirmation first."""

    confirm_open_window = forms.BooleanField(
        label="Add this lot while the application window is open",
        required=False,
        help_text="The lot stays unpublished (hidden from partners, applicants and the public) until you "
        "publish it from the list of lots.",
    )

    class Meta:
        model = Lot
        formfield_callback = ascii_number_formfield
        fields = [
            "framework",
            "number",
            "title",
            "description",
            "specification",
            "min_value",
            "max_value",
            "minimum_score",
        ]

    def clean(self):
        cleaned = super().clean()
        framework = cleaned.get("framework") or getattr(self.instance, "framework", None)
        if self.instance.pk is None and framework is not None and framework.pk and setup.window_open_now(framework):
            if not cleaned.get("confirm_open_window"):
                self.add_error("confirm_open_window", setup.OPEN_WINDOW_MESSAGE)
            else:
                self.instance.confirmed_open_window = True
        return cleaned


class LotInline(admin.StackedInline):
    model = Lot
    form = LotForm
    extra = 0
    fields = [
        ("number", "title"),
        "description",
        "specification",
        ("min_value", "max_value", "minimum_score"),
        "is_published",
        "confirm_open_window",
    ]
    readonly_fields = ["is_published"]


class WindowInline(admin.StackedInline):
    """Stacked, not tabular: each box has its own label (a tabular inline's inputs have none)."""

    model = ApplicationWindow
    extra = 0
    fields = ["title", "opens_at", "closes_at"]


class FrameworkAwardInline(ReadOnlyInline):
    """Awards of the framework (an open framework's re-awards): made by `open_frameworks.award_framework`."""

    model = FrameworkAward
    fields = ["sequence", "starts_on", "ends_on", "window", "awarded_at", "awarded_by"]
    readonly_fields = fields


@admin.register(Framework)
class FrameworkAdmin(ServiceInlinesMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "title",
        "lead_authority",
        "term_start",
        "term_end",
        "is_light_touch",
        "is_open_framework",
        "staff_links",
    ]
    list_filter = ["is_light_touch", "is_open_framework", "legal_regime", "lead_authority"]
    search_fields = ["reference", "title"]
    filter_horizontal = ["partner_authorities"]
    inlines = [LotInline, WindowInline, FrameworkAwardInline]
    date_hierarchy = "term_start"

    def save_model(self, request, obj, form, change):
        setup.save_framework(
            framework=obj, by=request.user, partner_authorities=form.cleaned_data.get("partner_authorities")
        )

    def save_related(self, request, form, formsets, change):
        """Partner authorities were set by the service; the inlines go through theirs."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.display(description="Selection")
    def staff_links(self, obj):
        return format_html(
            '<a href="{}">Applications</a> · <a href="{}">Approved list</a>',
            reverse("frameworks:officer_applications", args=[obj.pk]),
            reverse("frameworks:approved_list", args=[obj.pk]),
        )


class QuestionInline(admin.StackedInline):
    model = SelectionQuestion
    extra = 0
    fk_name = "lot"
    fields = [
        ("section", "order"),
        "text",
        ("kind", "weight", "max_score", "word_limit"),
        "guidance",
        "evaluator_guidance",
        "scale_descriptors",
        ("requires_upload", "required_accreditation"),
    ]  # not its framework: a lot's question belongs to the lot's framework (the service sets it)


@admin.register(Lot)
class LotAdmin(ServiceInlinesMixin, admin.ModelAdmin):
    form = LotForm
    list_display = ["__str__", "framework", "is_published", "minimum_score", "min_value", "max_value"]
    list_filter = ["framework", "is_published"]
    search_fields = ["title", "framework__reference"]
    inlines = [QuestionInline]
    readonly_fields = ["is_published"]
    actions = ["publish_lots"]

    def save_model(self, request, obj, form, change):
        setup.save_lot(lot=obj, by=request.user, confirmed=form.cleaned_data.get("confirm_open_window", False))

    @admin.action(description="Publish the selected lots (partners, applicants and the public see them)")
    def publish_lots(self, request, queryset):
        published = 0
        for lot in queryset.filter(is_published=False):
            try:
                setup.publish_lot(lot=lot, by=request.user)
            except (PermissionDenied, ValidationError) as error:
                reason = " ".join(getattr(error, "messages", [str(error)]))
                self.message_user(request, f"{lot}: {reason}", messages.ERROR)
            else:
                published += 1
        self.message_user(request, f"{published} lot{'s' if published != 1 else ''} published.", messages.SUCCESS)


@admin.register(SelectionQuestion)
class SelectionQuestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "framework", "lot", "kind", "weight", "requires_upload", "required_accreditation"]
    list_filter = ["framework", "lot", "kind", "requires_upload"]
    search_fields = ["text", "section"]

    def save_model(self, request, obj, form, change):
        setup.save_question(question=obj, by=request.user)


@admin.register(ApplicationWindow)
class ApplicationWindowAdmin(admin.ModelAdmin):
    list_display = ["__str__", "opens_at", "closes_at", "state"]
    list_filter = ["framework"]
    date_hierarchy = "closes_at"

    def save_model(self, request, obj, form, change):
        setup.save_window(window=obj, by=request.user)

    @admin.display(description="State")
    def state(self, obj):
        return obj.state()


class ApplicationLotInline(ReadOnlyInline):
    model = ApplicationLot
    fields = ["lot", "outcome", "decision_reason", "decided_by", "decided_at"]
    readonly_fields = fields


class AssignmentInline(ReadOnlyInline):
    model = EvaluationAssignment
    fields = ["evaluator", "assigned_by", "has_conflict", "conflict_details", "declared_at", "submitted_at"]
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-only here: every move is a service call from the staff pages (linked)."""

    list_display = ["supplier", "window", "status", "submitted_at", "staff_page"]
    list_filter = ["status", "window__framework", "window"]
    search_fields = ["supplier__legal_name"]
    date_hierarchy = "submitted_at"
    inlines = [ApplicationLotInline, AssignmentInline]
    readonly_fields = [
        "supplier",
        "window",
        "status",
        "is_consortium",
        "consent_share_with_partners",
        "consent_publish",
        "created_by",
        "submitted_at",
        "submitted_by",
        "receipt",
        "withdrawn_at",
    ]
    exclude = []

    def get_queryset(self, request):
        # Drafts belong to the provider until submitted.
        return super().get_queryset(request).exclude(status=Application.Status.DRAFT)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Evaluate and decide")
    def staff_page(self, obj):
        return format_html('<a href="{}">Open</a>', reverse("frameworks:officer_application", args=[obj.pk]))


@admin.register(Appointment)
class AppointmentAdmin(ImportFileMessagesMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    """The approved list. Status changes go through the staff page so a reason is always recorded."""

    resource_classes = [AppointmentResource]
    formats = FORMATS
    list_display = [
        "supplier",
        "lot",
        "status",
        "starts_on",
        "ends_on",
        "consent_share_with_partners",
        "consent_publish",
        "change_status",
    ]
    list_filter = ["status", "lot__framework", "lot", "consent_share_with_partners", "areas"]
    search_fields = ["supplier__legal_name"]
    date_hierarchy = "starts_on"
    readonly_fields = ["status", "status_reason", "application"]
    filter_horizontal = ["areas"]

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"user": request.user}

    def save_model(self, request, obj, form, change):
        setup.save_appointment(appointment=obj, by=request.user, areas=form.cleaned_data.get("areas"))

    def save_related(self, request, form, formsets, change):
        """The areas were set by the service."""

    @admin.display(description="Suspend or remove")
    def change_status(self, obj):
        if obj.status == Appointment.Status.REMOVED:
            return "–"
        return format_html(
            '<a href="{}">Change status</a> · <a href="{}">History</a>',
            reverse("frameworks:appointment_status", args=[obj.pk]),
            reverse("approved_list:appointment_history", args=[obj.pk]),
        )


@admin.register(Clarification)
class ClarificationAdmin(admin.ModelAdmin):
    list_display = ["application", "asked_by", "asked_at", "responded_at"]
    readonly_fields = ["application", "question", "asked_by", "response", "responded_by", "responded_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
