from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from . import registration
from .models import Accreditation, DuplicateCheck, Invitation, Supplier, SupplierDocument, SupplierMembership


class MembershipInline(admin.TabularInline):
    model = SupplierMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "kind", "charity_number", "company_number", "is_vcse", "is_sme"]
    list_filter = ["kind", "is_vcse", "is_sme"]
    search_fields = ["legal_name", "trading_name", "charity_number", "company_number"]
    inlines = [MembershipInline]


@admin.register(Accreditation)
class AccreditationAdmin(admin.ModelAdmin):
    list_display = ["supplier", "display_name", "level", "reference", "expires_on"]
    list_filter = ["scheme", "expires_on"]
    search_fields = ["supplier__legal_name", "reference", "equivalent_name"]
    date_hierarchy = "expires_on"
    autocomplete_fields = ["supplier"]


@admin.register(SupplierDocument)
class SupplierDocumentAdmin(admin.ModelAdmin):
    list_display = ["supplier", "title", "kind", "expires_on", "uploaded_at"]
    list_filter = ["kind", "expires_on"]
    search_fields = ["supplier__legal_name", "title"]
    date_hierarchy = "expires_on"
    readonly_fields = ["sha256", "uploaded_by", "uploaded_at"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "supplier", "invited_by", "created_at", "accepted_at"]
    search_fields = ["email", "supplier__legal_name"]
    readonly_fields = ["token", "invited_by", "accepted_at"]


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
