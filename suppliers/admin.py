"""Supplier organisations in the admin. Officers correct an organisation's record and its accreditations
through the services (audited, before and after); who acts for an organisation changes only by an
invitation that the invitee accepts, so memberships are read-only here and invitations are sent, never
read: their tokens exist only in the invitee's mailbox. Possible duplicate registrations are officers'
work items, decided by actions that go through the registration services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from commissioning.admin import ReadOnlyInline, stand_for_created

from . import registration, services
from .models import Accreditation, DuplicateCheck, Invitation, Supplier, SupplierDocument, SupplierMembership


class MembershipInline(ReadOnlyInline):
    model = SupplierMembership
    fields = ["user", "is_admin", "joined_at"]
    readonly_fields = fields
    verbose_name = "person acting for the organisation"
    verbose_name_plural = "people acting for the organisation (they join by accepting an invitation)"


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "kind", "charity_number", "company_number", "is_vcse", "is_sme"]
    list_filter = ["kind", "is_vcse", "is_sme"]
    search_fields = ["legal_name", "trading_name", "charity_number", "company_number"]
    inlines = [MembershipInline]
    readonly_fields = ["require_two_factor", "created_at"]

    def save_model(self, request, obj, form, change):
        services.save_supplier_record(supplier=obj, by=request.user)


@admin.register(Accreditation)
class AccreditationAdmin(admin.ModelAdmin):
    list_display = ["supplier", "display_name", "level", "reference", "expires_on"]
    list_filter = ["scheme", "expires_on"]
    search_fields = ["supplier__legal_name", "reference", "equivalent_name"]
    date_hierarchy = "expires_on"
    autocomplete_fields = ["supplier"]
    # Evidence is uploaded by the supplier, through the upload checks; here it is only read.
    readonly_fields = ["evidence", "evidence_sha256", "added_at"]

    def save_model(self, request, obj, form, change):
        services.save_accreditation_record(accreditation=obj, by=request.user)


@admin.register(SupplierDocument)
class SupplierDocumentAdmin(admin.ModelAdmin):
    """Read here; the supplier uploads its documents through the upload checks."""

    list_display = ["supplier", "title", "kind", "expires_on", "uploaded_at"]
    list_filter = ["kind", "expires_on"]
    search_fields = ["supplier__legal_name", "title"]
    date_hierarchy = "expires_on"
    readonly_fields = ["sha256", "uploaded_by", "uploaded_at"]


class InvitationAdminForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["supplier", "email", "full_name"]

    def clean(self):
        data = super().clean()
        if data.get("supplier") is not None:
            try:
                services.check_invitation_allowed(data["supplier"])
            except services.SupplierRuleError as error:
                self.add_error("email", error.text)
        return data


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Platform administrators may invite someone to act for an organisation (for one whose own users
    cannot); the invitee accepts it from the e-mail, as any other invitation."""

    list_display = ["email", "supplier", "invited_by", "created_at", "expires_at", "accepted_at"]
    list_select_related = ["supplier", "invited_by"]
    search_fields = ["email", "supplier__legal_name"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["supplier"]
    form = InvitationAdminForm

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["supplier", "email", "full_name"]
        return ["supplier", "email", "full_name", "invited_by", "created_at", "expires_at", "accepted_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        invitation = services.invite_colleague(
            supplier=form.cleaned_data["supplier"],
            by=request.user,
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
        )
        stand_for_created(obj, invitation)


@admin.register(DuplicateCheck)
class DuplicateCheckAdmin(admin.ModelAdmin):
    """Officers' work item: registrations that look like an organisation already registered. Decisions are
    actions that go through `registration.decide_duplicate` (rules, audit trail, email)."""

    list_display = ["supplier", "looks_like", "status", "created_at", "decided_by"]
    list_filter = ["status"]
    search_fields = ["supplier__legal_name", "supplier__charity_number", "supplier__company_number"]
    date_hierarchy = "created_at"
    fields = ["supplier", "matches", "reasons", "status", "decided_by", "decided_at", "note"]
    readonly_fields = fields
    actions = ["confirm_distinct", "reject_as_duplicate"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("supplier", "decided_by").prefetch_related("matches")

    @admin.display(description="Looks like")
    def looks_like(self, check: DuplicateCheck) -> str:
        return "; ".join(m.legal_name for m in check.matches.all())

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _decide(self, request, queryset, *, distinct: bool) -> None:
        decided = 0
        for check in queryset.filter(status=DuplicateCheck.Status.OPEN):
            try:
                registration.decide_duplicate(check=check, distinct=distinct, by=request.user)
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, f"{check.supplier}: {' '.join(error.messages)}", messages.ERROR)
            else:
                decided += 1
        self.message_user(request, f"{decided} decided.", messages.SUCCESS if decided else messages.WARNING)

    @admin.action(description="Confirm the selected are different organisations")
    def confirm_distinct(self, request, queryset):
        self._decide(request, queryset, distinct=True)

    @admin.action(description="Reject the selected as duplicates (closes their accounts)")
    def reject_as_duplicate(self, request, queryset):
        self._decide(request, queryset, distinct=False)
