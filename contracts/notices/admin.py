"""Notices and thresholds in the admin. A notice's lifecycle belongs to its pages (preview, schema check,
recording publication), so the admin shows notices read-only with a link to the page; thresholds are data
the Act's regulations change every two years, kept here with the legislation that sets them."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from commissioning.admin import ReadOnlyLogAdmin
from commissioning.audit import record

from .models import Notice, Threshold


@admin.register(Notice)
class NoticeAdmin(ReadOnlyLogAdmin):
    list_display = ["notice_type", "title", "buying_authority", "deadline", "status", "fts_number", "published_on"]
    list_filter = ["notice_type", "status", "is_voluntary", "buying_authority"]
    search_fields = ["title", "ocid", "fts_number"]
    date_hierarchy = "deadline"
    readonly_fields = [f.name for f in Notice._meta.fields if f.name != "id"] + ["page"]

    @admin.display(description="Preview and publication")
    def page(self, obj: Notice) -> str:
        return format_html('<a href="{}">Open the notice</a>', reverse("notices:notice", args=[obj.pk]))


@admin.register(Threshold)
class ThresholdAdmin(admin.ModelAdmin):
    list_display = ["kind", "amount", "starts_on", "source"]
    list_filter = ["kind"]
    date_hierarchy = "starts_on"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        record(
            "notices.threshold_saved",
            by=request.user,
            obj=obj,
            data={"kind": obj.kind, "amount": obj.amount, "starts_on": obj.starts_on, "changed": form.changed_data},
        )
