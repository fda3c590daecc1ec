from django.contrib import admin

from .models import Accreditation, Invitation, Supplier, SupplierDocument, SupplierMembership


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
