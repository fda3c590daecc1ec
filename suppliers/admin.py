from django.contrib import admin

from .models import Supplier, SupplierMembership


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
