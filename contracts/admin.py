"""The contracts register in the admin, the officers' workplace.

Every save goes through `services` (rules and audit trail); lifecycle moves are admin actions or links
to the staff forms that call the same services; fields the lifecycle owns are read-only.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from commissioning.admin import ReadOnlyInline, ReadOnlyLogAdmin, stand_for_created
from commissioning.imports import FORMATS, ImportFileMessagesMixin
from commissioning.numbers import ascii_number_formfield
from commissioning.rules import acts_for_running_authority, reading_for_filter

from . import services
from .models import (
    Contract,
    ContractFunding,
    ContractMeeting,
    ContractYearValue,
    Extension,
    ExtensionOption,
    MeetingAction,
    Milestone,
    SocialValueCommitment,
    SocialValueProposal,
    Variation,
)
from .resources import ContractResource
from .services import ContractRuleError

# The decisions the lifecycle records, shown read-only in their own fieldset.
DECISION_FIELDS = [
    "live_proposed_at",
    "live_proposed_by",
    "activated_at",
    "activated_by",
    "terminated_on",
    "termination_reason",
    "terminated_by",
    "terminated_at",
    "origin",
    "created_at",
]
LIFECYCLE_FIELDS = ["current_end_on", "status_display", *DECISION_FIELDS]


class LockableInline(admin.TabularInline):
    """Rows that are edited under their parent until the parent is locked (`locked`), then read-only."""

    extra = 0

    def locked(self, obj) -> bool:
        raise NotImplementedError

    def has_add_permission(self, request, obj=None):
        return not self.locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self.locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self.locked(obj) and super().has_delete_permission(request, obj)


class DraftOnlyInline(LockableInline):
    """Parts that a live contract changes only by variation or extension: read-only once live."""

    def locked(self, obj) -> bool:
        return obj is not None and not obj.is_draft


class ExtensionOptionInline(DraftOnlyInline):
    model = ExtensionOption
    fields = ["sequence", "months"]


class YearValueInline(DraftOnlyInline):
    model = ContractYearValue
    fields = ["financial_year", "amount"]
    verbose_name = "value per financial year (excluding VAT)"
    verbose_name_plural = "values per financial year (excluding VAT)"


class ExtensionInline(ReadOnlyInline):
    model = Extension
    fields = ["option", "decided_on", "decided_by", "reason", "end_before", "end_after"]
    readonly_fields = fields
    verbose_name = "exercised extension"


class VariationInline(ReadOnlyInline):
    model = Variation
    fields = [
        "kind",
        "approved_on",
        "approver",
        "reason",
        "financial_year",
        "value_before",
        "value_after",
        "end_before",
        "end_after",
        "recorded_by",
    ]
    readonly_fields = fields


class FundingInline(admin.TabularInline):
    model = ContractFunding
    extra = 0
    fields = ["financial_year", "stream", "amount"]


class MeetingInline(admin.TabularInline):
    model = ContractMeeting
    extra = 0
    fields = ["held_on", "financial_year", "quarter", "attendees", "notes"]
    show_change_link = True


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["name", "due_on", "done_on"]


class ContractAdminForm(forms.ModelForm):
    class Meta:
        formfield_callback = ascii_number_formfield
        model = Contract
        fields = [
            "reference",
            "title",
            "kind",
            "scope",
            "supplier",
            "consortium_members",
            "buying_authority",
            "lot",
            "areas",
            "start_on",
            "initial_end_on",
            "extension_notice_months",
            "officer_manager",
            "supplier_manager_name",
            "supplier_manager_email",
            "supplier_manager_user",
            "in_recommissioning_scope",
            "scope_note",
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("start_on"), data.get("initial_end_on")
        if start and end and end <= start:
            self.add_error("initial_end_on", "The initial end date must be after the start date")
        return data


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Contract.Status.choices

    def queryset(self, request, queryset):
        from django.utils import timezone

        if self.value() in Contract.Status.values:
            return queryset.with_status(self.value(), timezone.localdate())
        return queryset


def contract_at(obj, path: str) -> Contract:
    """The contract reached from `obj` along `path` (names joined by "__"; "" for a contract itself)."""
    for name in filter(None, path.split("__")):
        obj = getattr(obj, name)
    return obj


def save_parts(request, contract: Contract, formset) -> None:
    """An inline's rows saved and deleted through the services, which apply the contract's rules and
    record the change."""
    instances = formset.save(commit=False)
    for part in formset.deleted_objects:
        services.save_contract_part(by=request.user, contract=contract, part=part, delete=True)
    for part in instances:
        services.save_contract_part(by=request.user, contract=contract, part=part)


class AuthorityScopedAdmin:
    """The admin obeys the same tenancy as the staff pages (commissioning.rules): an officer lists and opens
    what their authority reads, and changes only what it buys; another authority's record is not found."""

    authority_lookups: tuple = Contract.READ_BY
    contract_path = ""  # the path from this model to its contract ("" for a contract itself)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(reading_for_filter(request.user, *self.authority_lookups))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return acts_for_running_authority(request.user, contract_at(obj, self.contract_path))


class ContractPartAdmin(admin.ModelAdmin):
    """A part of a contract (with its inline rows) saved through `services.save_contract_part`, never
    straight to the database."""

    contract_path = "contract"  # the path from this model to its contract

    def save_model(self, request, obj, form, change):
        services.save_contract_part(by=request.user, contract=contract_at(obj, self.contract_path), part=obj)

    def save_formset(self, request, form, formset, change):
        save_parts(request, contract_at(form.instance, self.contract_path), formset)


@admin.register(Contract)
class ContractAdmin(AuthorityScopedAdmin, ImportFileMessagesMixin, ImportExportMixin, SimpleHistoryAdmin):
    form = ContractAdminForm
    resource_classes = [ContractResource]
    formats = FORMATS
    list_display = [
        "reference",
        "title",
        "supplier",
        "buying_authority",
        "kind",
        "start_on",
        "current_end_on",
        "status_display",
        "in_recommissioning_scope",
    ]
    list_filter = [StatusFilter, "kind", "buying_authority", "lot", "in_recommissioning_scope", "origin"]
    list_select_related = ["supplier", "buying_authority"]
    search_fields = ["reference", "title", "supplier__legal_name", "buying_authority__name"]
    date_hierarchy = "current_end_on"
    filter_horizontal = ["areas", "consortium_members"]
    inlines = [
        ExtensionOptionInline,
        ExtensionInline,
        VariationInline,
        YearValueInline,
        FundingInline,
        MeetingInline,
        MilestoneInline,
    ]
    actions = ["make_live", "add_meeting_schedule"]
    fieldsets = [
        (None, {"fields": ["reference", "title", "kind", "scope", "status_display", "staff_page"]}),
        ("Parties", {"fields": ["supplier", "consortium_members", "buying_authority", "lot", "areas"]}),
        (
            "Term",
            {"fields": ["start_on", "initial_end_on", "current_end_on", "extension_notice_months"]},
        ),
        (
            "Contract managers",
            {"fields": ["officer_manager", "supplier_manager_name", "supplier_manager_email", "supplier_manager_user"]},
        ),
        ("Recommissioning", {"fields": ["in_recommissioning_scope", "scope_note"]}),
        ("Decisions (recorded by the lifecycle)", {"fields": DECISION_FIELDS}),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = [*LIFECYCLE_FIELDS, "staff_page"]
        if obj is not None and not obj.is_draft:
            fields += sorted(services.DRAFT_ONLY)
        return fields

    @admin.display(description="status")
    def status_display(self, obj: Contract) -> str:
        return obj.status_label if obj.pk else "Draft"

    @admin.display(description="staff page")
    def staff_page(self, obj: Contract) -> str:
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">Open the contract page</a> to record a variation, exercise an extension, '
            "make it live or terminate it",
            reverse("contracts:officer_contract", args=[obj.pk]),
        )

    # Saving goes through the services ----------------------------------------------------------------

    def save_model(self, request, obj: Contract, form, change):
        data = form.cleaned_data
        if not change:
            contract = services.create_contract(
                by=request.user,
                reference=data["reference"],
                title=data["title"],
                kind=data["kind"],
                scope=data.get("scope", ""),
                supplier=data["supplier"],
                buying_authority=data["buying_authority"],
                lot=data.get("lot"),
                start_on=data["start_on"],
                initial_end_on=data["initial_end_on"],
                extension_notice_months=6
                if data.get("extension_notice_months") is None
                else data["extension_notice_months"],
                officer_manager=data.get("officer_manager"),
                supplier_manager_name=data.get("supplier_manager_name", ""),
                supplier_manager_email=data.get("supplier_manager_email", ""),
                supplier_manager_user=data.get("supplier_manager_user"),
                in_recommissioning_scope=data.get("in_recommissioning_scope", True),
                scope_note=data.get("scope_note", ""),
            )
            stand_for_created(obj, contract)
            obj.current_end_on = contract.current_end_on
            return
        editable = services.ALWAYS_EDITABLE | (services.DRAFT_ONLY if obj.is_draft else set())
        changes = {name: data[name] for name in form.changed_data if name in editable}
        services.update_contract(by=request.user, contract=obj, **changes)

    def save_related(self, request, form, formsets, change):
        contract = form.instance
        m2m = {
            name: list(form.cleaned_data[name])
            for name in services.M2M_FIELDS
            if name in form.cleaned_data and (not change or name in form.changed_data)
        }
        if m2m:
            services.update_contract(by=request.user, contract=contract, **m2m)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        save_parts(request, form.instance, formset)

    # Lifecycle moves ----------------------------------------------------------------------------------

    @admin.action(description="Make the selected contracts live")
    def make_live(self, request, queryset):
        for contract in queryset:
            try:
                with transaction.atomic():
                    if services.needs_second_officer(contract) and contract.live_proposed_at is None:
                        services.propose_going_live(by=request.user, contract=contract)
                        done = "going live proposed: a second officer must confirm it"
                    else:
                        services.activate_contract(by=request.user, contract=contract)
                        done = "is live"
            except ContractRuleError as error:
                self.message_user(request, f"{contract.reference}: {error.text}", messages.ERROR)
            else:
                self.message_user(request, f"{contract.reference}: {done}", messages.SUCCESS)

    @admin.action(description="Add the quarterly meeting schedule over the term")
    def add_meeting_schedule(self, request, queryset):
        for contract in queryset:
            created = services.schedule_meetings(by=request.user, contract=contract)
            self.message_user(request, f"{contract.reference}: {len(created)} meetings added", messages.SUCCESS)


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyLogAdmin):
    """Exercised extensions are decisions: read them here, make them on the contract page."""

    list_display = ["contract", "option", "decided_on", "decided_by", "end_before", "end_after"]
    list_select_related = ["contract", "option", "decided_by"]
    search_fields = ["contract__reference", "contract__title", "reason"]
    date_hierarchy = "decided_on"


@admin.register(Variation)
class VariationAdmin(ReadOnlyLogAdmin):
    list_display = [
        "contract",
        "kind",
        "approved_on",
        "approver",
        "value_before",
        "value_after",
        "end_before",
        "end_after",
    ]
    list_filter = ["kind"]
    list_select_related = ["contract"]
    search_fields = ["contract__reference", "contract__title", "reason", "approver"]
    date_hierarchy = "approved_on"


class CommitmentInline(LockableInline):
    """A proposal's commitments are fixed once it is accepted."""

    model = SocialValueCommitment
    fields = ["theme", "measure", "unit", "target", "due_on"]

    def locked(self, obj) -> bool:
        return obj is not None and obj.is_accepted


@admin.register(SocialValueProposal)
class SocialValueProposalAdmin(ContractPartAdmin):
    list_display = ["contract", "received_on", "score", "accepted_at"]
    list_select_related = ["contract"]
    search_fields = ["contract__reference", "contract__title", "summary"]
    readonly_fields = ["accepted_at", "accepted_by"]
    inlines = [CommitmentInline]
    actions = ["accept"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_accepted:
            return ["contract", "summary", "received_on", "score", "accepted_at", "accepted_by"]
        return super().get_readonly_fields(request, obj)

    @admin.action(description="Accept the selected Social Value Proposals")
    def accept(self, request, queryset):
        for proposal in queryset.select_related("contract"):
            try:
                with transaction.atomic():
                    services.accept_social_value_proposal(by=request.user, proposal=proposal)
            except ContractRuleError as error:
                self.message_user(request, f"{proposal.contract.reference}: {error.text}", messages.ERROR)
            else:
                self.message_user(request, f"{proposal.contract.reference}: accepted", messages.SUCCESS)


class ActionInline(admin.TabularInline):
    model = MeetingAction
    extra = 0
    fields = ["description", "owner", "due_on", "done_at", "done_by"]
    readonly_fields = ["done_at", "done_by"]


@admin.register(ContractMeeting)
class ContractMeetingAdmin(ContractPartAdmin):
    list_display = ["contract", "held_on", "period_label"]
    list_select_related = ["contract"]
    search_fields = ["contract__reference", "contract__title", "notes", "attendees"]
    date_hierarchy = "held_on"
    inlines = [ActionInline]


@admin.register(MeetingAction)
class MeetingActionAdmin(ContractPartAdmin):
    list_display = ["description", "owner", "due_on", "meeting", "done_at"]
    list_select_related = ["meeting__contract"]
    search_fields = ["description", "owner", "meeting__contract__reference"]
    readonly_fields = ["done_at", "done_by"]
    actions = ["mark_done"]
    contract_path = "meeting__contract"

    @admin.action(description="Mark the selected actions done")
    def mark_done(self, request, queryset):
        for action in queryset:
            try:
                with transaction.atomic():
                    services.complete_action(by=request.user, action=action)
            except ContractRuleError as error:
                self.message_user(request, f"{action}: {error.text}", messages.ERROR)


@admin.register(Milestone)
class MilestoneAdmin(ContractPartAdmin):
    list_display = ["name", "contract", "due_on", "done_on"]
    list_select_related = ["contract"]
    search_fields = ["name", "contract__reference", "contract__title"]
    date_hierarchy = "due_on"


from .award import admin as award_admin  # noqa: E402,F401  (the award stage in the admin)
from .notices import admin as notices_admin  # noqa: E402,F401  (notices and thresholds)
