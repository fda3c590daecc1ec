from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .models import (
    Area,
    AuditEvent,
    Authority,
    FundingAllocation,
    FundingStream,
    GeneratedDocument,
    Notification,
    ReminderRule,
    User,
)
from .notifications import save_rule


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_lead_commissioner", "email"]
    list_filter = ["kind", "is_lead_commissioner"]
    search_fields = ["name"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region"]
    list_filter = ["region"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "authority", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff", "authority"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "job_title", "role", "authority"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        """Only a platform administrator may grant or remove administrator rights."""
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "is_staff", "groups"]
        return fields

    add_fieldsets = [
        (None, {"fields": ["email", "full_name", "role", "authority", "password1", "password2"]}),
    ]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only, here as everywhere."""

    list_display = [
        "occurred_at",
        "action",
        "actor_email",
        "organisation",
        "object_repr",
        "ip_address",
    ]
    list_filter = ["action"]
    search_fields = ["action", "actor_email", "object_repr", "organisation"]
    date_hierarchy = "occurred_at"
    list_select_related = ["content_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and (request.user.is_superuser or request.user.is_officer)


class FundingAllocationInline(admin.TabularInline):
    model = FundingAllocation
    extra = 1


@admin.register(FundingStream)
class FundingStreamAdmin(admin.ModelAdmin):
    list_display = ["name", "funder", "is_ring_fenced"]
    list_filter = ["is_ring_fenced", "funder"]
    search_fields = ["name", "funder"]
    inlines = [FundingAllocationInline]


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    """Officers decide when reminders go out. Rules are created by the reminder sources themselves."""

    list_display = ["label", "kind", "offsets", "remind_when_overdue", "escalate_after_days", "enabled"]
    list_filter = ["enabled"]
    search_fields = ["label", "kind"]
    readonly_fields = ["kind", "updated_at"]
    fields = [
        "kind",
        "label",
        "offsets",
        "remind_when_overdue",
        "escalate_after_days",
        "enabled",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        save_rule(rule=obj, changed=list(form.changed_data), by=request.user)


class ReadOnlyLogAdmin(admin.ModelAdmin):
    """A log written by tasks: officers read it, nobody edits it here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyLogAdmin):
    """The e-mail log: every e-mail the portal sent or is still trying to send, with why it failed.

    An e-mail that would name a bidder before the closing time (its receipt) is left out until then.
    The body of a confidential e-mail (a password reset link) is never shown, and is erased once sent."""

    list_display = ["created_at", "email", "recipient", "kind", "subject", "status", "attempts", "sent_at", "reason"]
    list_filter = ["status", "kind", "occasion"]
    search_fields = ["email", "recipient__full_name", "subject"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    fields = [
        "created_at",
        "email",
        "recipient",
        "kind",
        "occasion",
        "subject",
        "url",
        "status",
        "attempts",
        "claimed_at",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "read_at",
        "body_text",
    ]

    def get_queryset(self, request):
        now = timezone.now()
        return super().get_queryset(request).filter(Q(sealed_until__isnull=True) | Q(sealed_until__lte=now))

    def get_fields(self, request, obj=None):
        if obj is not None and obj.confidential:
            return [name for name in self.fields if name != "body_text"]
        return self.fields

    @admin.display(description="reason")
    def reason(self, obj: Notification) -> str:
        return Truncator(obj.last_error).chars(120)


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(ReadOnlyLogAdmin):
    list_display = ["requested_at", "title", "kind", "status", "requested_by", "page_count", "attempts"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "requested_by__email"]
    date_hierarchy = "requested_at"
    list_select_related = ["requested_by"]
    exclude = ["file"]
