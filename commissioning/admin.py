from django import forms
from django.contrib import admin, messages
from django.db.models import Model, Q
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from . import accounts, two_factor, wording
from .audit import shown, shown_all
from .audit_admin import AuditPaginator, distinct_actions
from .changes import delete_audited, save_audited
from .models import (
    Area,
    AuditEvent,
    Authority,
    FundingAllocation,
    FundingStream,
    GeneratedDocument,
    Notification,
    ReminderRule,
    RoleRequest,
    User,
)
from .notifications import save_rule


class AccountForm(forms.ModelForm):
    """An account's details and role. The rules are the services'; they are checked here as well so that
    a refusal is shown next to its field instead of failing the save."""

    acting_user: User | None = None

    class Meta:
        model = User
        fields = ["email", "full_name", "job_title", "role", "authority"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "role" in self.fields:
            self.fields["role"].choices = [("", "---------")] + [
                (value, label) for value, label in User.Role.choices if value in accounts.GRANTABLE_ROLES
            ]
            if self.instance.pk and self.instance.role == User.Role.PROVIDER:
                self.fields["role"].disabled = True
                self.fields["role"].choices = User.Role.choices

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("An account with this email address already exists")
        return email

    def clean(self):
        data = super().clean()
        editing = self.instance.pk is not None
        changes_role = not editing or {"role", "authority"} & set(self.changed_data)
        if not changes_role or "role" not in data:
            return data
        if editing and self.instance.pk == getattr(self.acting_user, "pk", None):
            self.add_error("role", "Another administrator must change your own role")
            return data
        try:
            accounts.check_role(data["role"], data.get("authority"))
            if editing:
                accounts.check_no_pending_request(self.instance)
        except accounts.AccountRuleError as error:
            self.add_error(None, error)
        return data


class RefusalForm(forms.Form):
    reason = forms.CharField(
        label="Why are these requests refused?", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class AccountAdminMixin:
    """Apply an account service to each selected row, reporting each outcome."""

    def each(self, request, queryset, change, done: str) -> None:
        for item in queryset:
            try:
                outcome = change(item)
            except accounts.AccountRuleError as error:
                self.message_user(request, f"{item}: {error.text}", messages.ERROR)
            else:
                waiting = isinstance(outcome, RoleRequest)  # a reopened officer, say, waits again
                message = "waiting for a second administrator to approve" if waiting else done
                self.message_user(request, f"{item}: {message}", messages.SUCCESS)


def account_action(service, description: str, done: str, subject: str = "user"):
    """An admin action that calls one account service (`service(<subject>=row, by=...)`) on each row."""

    @admin.action(description=description)
    def action(modeladmin, request, queryset):
        modeladmin.each(request, queryset, lambda item: service(**{subject: item, "by": request.user}), done)

    return action


class AuditedAdminMixin:
    """Reference data (authorities, areas, funding streams) saved through the one audited path: each
    change is an audit event with its fields before and after."""

    def _action(self, obj) -> str:
        return f"{obj._meta.app_label}.{obj._meta.model_name}"

    def save_model(self, request, obj, form, change):
        many = {f.name: form.cleaned_data[f.name] for f in obj._meta.many_to_many if f.name in form.cleaned_data}
        save_audited(obj, by=request.user, action=self._action(obj), many=many or None)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        parts = formset.save(commit=False)
        for part in formset.deleted_objects:
            delete_audited(part, by=request.user, action=self._action(part))
        for part in parts:
            save_audited(part, by=request.user, action=self._action(part))

    def delete_model(self, request, obj):
        delete_audited(obj, by=request.user, action=self._action(obj))


@admin.register(Authority)
class AuthorityAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "is_lead_commissioner", "email"]
    list_filter = ["kind", "is_lead_commissioner"]
    search_fields = ["name"]


@admin.register(Area)
class AreaAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "region"]
    list_filter = ["region"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


class ReadOnlyLogAdmin(admin.ModelAdmin):
    """A record written by services or tasks: read here, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows a service wrote, shown under their parent in the admin: never added, changed or deleted here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def stand_for_created(obj: Model, created: Model) -> None:
    """An admin's add form whose service created the record: the form's unsaved instance becomes that
    record, so the admin logs the addition and redirects to it by its primary key."""
    obj.pk, obj._state.adding, obj._state.db = created.pk, False, created._state.db


@admin.register(User)
class UserAdmin(AccountAdminMixin, admin.ModelAdmin):
    """Accounts, for platform administrators only. Every change is a service call: nobody types or sees
    another person's password (there is no password form here), officers and administrators wait for a
    second administrator, and accounts are closed rather than deleted."""

    ordering = ["email"]
    list_display = ["email", "full_name", "role", "authority", "is_active", "approval", "last_login"]
    list_filter = ["role", "is_active", "authority"]
    list_select_related = ["authority"]
    search_fields = ["email", "full_name"]
    actions = ["send_password_reset", "send_two_factor_link", "deactivate", "reactivate"]
    add_fields = ["email", "full_name", "job_title", "role", "authority"]
    status_fields = [
        "is_active",
        "is_staff",
        "role_since",
        "role_approved_at",
        "role_approved_by",
        "two_factor",
        "last_login",
        "date_joined",
    ]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "job_title"]}),
        (_("Role"), {"fields": ["role", "authority"]}),
        (_("Status (changed by the actions)"), {"fields": status_fields}),
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": self.add_fields})]
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["email", *self.status_fields]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = AccountForm
        form = super().get_form(request, obj, change=change, **kwargs)
        form.acting_user = request.user
        return form

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="approval")
    def approval(self, obj: User) -> str:
        if obj.role not in User.APPROVED_ROLES:
            return "Not needed"
        if obj.role_approved_at is None:
            return "Waiting" if not obj.is_active else "Not approved"
        return "Approved"

    @admin.display(description="two-factor authentication")
    def two_factor(self, obj: User) -> str:
        return "Set up" if two_factor.has_authenticator(obj) else "Not set up"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            user = accounts.create_account(
                by=request.user,
                email=data["email"],
                full_name=data["full_name"],
                job_title=data.get("job_title", ""),
                role=data["role"],
                authority=data.get("authority"),
            )
            stand_for_created(obj, user)
            self._tell(request, user, waiting=not user.is_active)
            return
        details = {name: data[name] for name in form.changed_data if name in accounts.DETAIL_FIELDS}
        if details:
            accounts.update_details(user=obj, by=request.user, **details)
        if {"role", "authority"} & set(form.changed_data):
            pending = accounts.change_role(
                user=obj, role=data["role"], authority=data.get("authority"), by=request.user
            )
            if pending is not None:
                self._tell(request, obj, waiting=True)

    def _tell(self, request, user: User, *, waiting: bool) -> None:
        if waiting:
            self.message_user(
                request,
                f"{user.email}: waiting for a second administrator to approve the role. Until then the account "
                "cannot act in it.",
                messages.WARNING,
            )
        else:
            self.message_user(request, f"{user.email}: we have emailed them a link to choose their password.")

    def save_related(self, request, form, formsets, change):
        """Nothing else to save: groups and permissions are not used (roles and rules decide)."""

    send_password_reset = account_action(
        accounts.send_password_reset, "Email the selected people a link to choose a new password", "link sent"
    )
    send_two_factor_link = account_action(
        accounts.send_two_factor_link,
        "Email the selected people a link to set up two-factor authentication",
        "link sent",
    )
    deactivate = account_action(accounts.deactivate_account, "Close the selected accounts", "closed")
    reactivate = account_action(accounts.reactivate_account, "Reopen the selected accounts", "reopened")


@admin.register(RoleRequest)
class RoleRequestAdmin(AccountAdminMixin, ReadOnlyLogAdmin):
    """Officer and administrator accounts waiting for a second administrator. Decided by the actions,
    which the one who asked cannot use on their own request."""

    list_display = ["user", "role", "authority", "is_new_account", "requested_by", "requested_at", "status"]
    list_filter = ["status", "role"]
    list_select_related = ["user", "authority", "requested_by"]
    search_fields = ["user__email", "user__full_name", "requested_by__email"]
    date_hierarchy = "requested_at"
    actions = ["approve", "refuse"]
    readonly_fields = [
        "user",
        "role",
        "authority",
        "is_new_account",
        "requested_by",
        "requested_at",
        "status",
        "decided_by",
        "decided_at",
        "reason",
    ]

    approve = account_action(accounts.approve_role_request, "Approve the selected requests", "approved", "role_request")

    @admin.action(description="Refuse the selected requests")
    def refuse(self, request, queryset):
        form = RefusalForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():

            def refuse_one(item: RoleRequest) -> None:
                accounts.refuse_role_request(role_request=item, by=request.user, reason=form.cleaned_data["reason"])

            self.each(request, queryset, refuse_one, "refused")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Refuse account requests",
            "requests": queryset,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/commissioning/rolerequest/refuse.html", context)


class AuditActionFilter(admin.SimpleListFilter):
    """Filter the trail by action, each named as people say it."""

    title = "action"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return sorted(((action, wording.action_label(action)) for action in distinct_actions()), key=lambda p: p[1])

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyLogAdmin):
    """Read-only: the trail is append-only, here as everywhere."""

    list_display = ["occurred_at", "action_label", "who", "of_organisation", "subject", "ip_address"]
    list_filter = [AuditActionFilter, ("occurred_at", admin.DateFieldListFilter)]
    search_fields = ["action", "actor_email", "object_repr", "organisation"]
    list_select_related = ["content_type"]
    # Newest first by id (the primary key's index), counted without reading the trail (audit_admin).
    ordering = ["-id"]
    paginator = AuditPaginator
    # Fifty events a page, as the portal's other lists show fifty rows (the admin's default is a hundred).
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description="Action", ordering="action")
    def action_label(self, event: AuditEvent) -> str:
        return wording.action_label(event.action)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("commissioning.view_auditevent")

    def get_changelist_instance(self, request):
        """The page's events, each with how it is shown worked out for them all at once (`shown_all`)."""
        changelist = super().get_changelist_instance(request)
        changelist.result_list = shown_all(changelist.result_list)
        return changelist

    # An event about a sealed tender names its sealed reference until the opening, then who it was.
    @admin.display(description="actor email", ordering="actor_email")
    def who(self, obj: AuditEvent) -> str:
        return shown(obj).actor

    @admin.display(description="organisation", ordering="organisation")
    def of_organisation(self, obj: AuditEvent) -> str:
        return shown(obj).organisation

    @admin.display(description="object", ordering="object_repr")
    def subject(self, obj: AuditEvent) -> str:
        return shown(obj).subject


class FundingAllocationInline(admin.TabularInline):
    model = FundingAllocation
    extra = 1


@admin.register(FundingStream)
class FundingStreamAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """An officer's streams are their authority's budget: the authority is set from the officer, and the
    list shows their authority's streams (and any not yet assigned to an authority)."""

    list_display = ["name", "kind", "funder", "is_ring_fenced", "authority"]
    list_filter = ["kind", "is_ring_fenced", "funder"]
    search_fields = ["name", "funder"]
    exclude = ["authority"]
    inlines = [FundingAllocationInline]

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("authority")
        if request.user.role == "officer":
            return qs.filter(Q(authority_id=request.user.authority_id) | Q(authority__isnull=True))
        return qs

    def save_model(self, request, obj, form, change):
        if not change and obj.authority_id is None and request.user.authority_id:
            obj.authority_id = request.user.authority_id
        super().save_model(request, obj, form, change)


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


@admin.register(Notification)
class NotificationAdmin(ReadOnlyLogAdmin):
    """The e-mail log: every e-mail the portal sent or is still trying to send, with why it failed.

    An e-mail that would name a bidder (a receipt, a closing reminder) is left out until the responses are
    opened by two officers.
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
