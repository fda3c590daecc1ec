"""The award stage in the admin. Officers read competitions, awards, direct awards and clarification
questions here; every move (publish, open, award, approve) is made on the staff pages, which call the
services, so the rules and the audit trail are never bypassed. Fields the lifecycle owns are
read-only.

Sealing holds here as everywhere: a response appears in the admin only once its competition has been
opened by two officers, for every user, superusers included; before that the list says only how many
were received. A response's content (price, answers, Social Value Proposal, files) is never shown in
the admin at all: officers read opened responses on the staff pages.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html

from commissioning.admin import ReadOnlyInline
from commissioning.admin import ReadOnlyLogAdmin as ReadOnlyAdmin

from . import services
from .models import (
    Award,
    AwardCriterion,
    ClarificationQuestion,
    Competition,
    CompetitionInvitation,
    CompetitionLot,
    DirectAward,
    NoAward,
    Tender,
)
from .selectors import RECEIVED


class LotInline(ReadOnlyInline):
    model = CompetitionLot
    fields = ["number", "title", "min_annual_bid", "max_annual_bid"]
    readonly_fields = fields


class CriterionInline(ReadOnlyInline):
    model = AwardCriterion
    fk_name = "competition"
    fields = ["order", "kind", "title", "weight", "max_score"]
    readonly_fields = fields


class InvitationInline(ReadOnlyInline):
    model = CompetitionInvitation
    fields = ["supplier", "invited_at", "emailed_at"]
    readonly_fields = fields
    verbose_name = "invited supplier"


@admin.register(Competition)
class CompetitionAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "kind", "status", "closes_at", "owner", "responses_received"]
    list_filter = ["kind", "status", "buying_authority"]
    list_select_related = ["owner"]
    search_fields = ["reference", "title"]
    date_hierarchy = "closes_at"
    inlines = [LotInline, CriterionInline, InvitationInline]
    actions = ["publish"]
    fields = [
        "reference",
        "title",
        "kind",
        "status",
        "staff_page",
        "buying_authority",
        "owner",
        "framework_lot",
        "areas",
        "estimated_value",
        "contract_start_on",
        "term_months",
        "extension_months",
        "clarification_deadline",
        "closes_at",
        "responses_received",
        "published_at",
        "published_by",
        "opening_requested_at",
        "opening_requested_by",
        "opened_at",
        "opened_by",
        "cancelled_at",
        "cancelled_by",
        "cancellation_reason",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(received=Count("tenders", filter=Q(tenders__status__in=RECEIVED), distinct=True))
        )

    @admin.display(description="responses received", ordering="received")
    def responses_received(self, obj: Competition) -> int:
        return getattr(obj, "received", 0)

    @admin.display(description="staff page")
    def staff_page(self, obj: Competition) -> str:
        return format_html(
            '<a href="{}">Open the competition page</a> to edit a draft, publish, answer questions, open the '
            "responses with a second officer, evaluate and award",
            reverse("awards:officer_competition", args=[obj.pk]),
        )

    @admin.action(description="Publish the selected draft competitions")
    def publish(self, request, queryset):
        for competition in queryset:
            try:
                with transaction.atomic():
                    services.publish_competition(competition=competition, by=request.user)
            except services.AwardRuleError as error:
                self.message_user(request, f"{competition.reference}: {' '.join(error.messages)}", messages.ERROR)
            except PermissionDenied as error:
                self.message_user(request, f"{competition.reference}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"{competition.reference} is published", messages.SUCCESS)


@admin.register(Tender)
class TenderAdmin(ReadOnlyAdmin):
    """Opened responses only, and never their content."""

    list_display = ["reference", "competition", "lot", "supplier", "status", "version", "submitted_at"]
    list_filter = ["status", "competition"]
    list_select_related = ["competition", "lot", "supplier"]
    search_fields = ["competition__reference", "supplier__legal_name"]
    fields = ["reference", "competition", "lot", "supplier", "status", "version", "submitted_at", "staff_page"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(competition__opened_at__isnull=False, status__in=Tender.IN_EVALUATION)
        )

    def changelist_view(self, request, extra_context=None):
        sealed = (
            Competition.objects.filter(opened_at__isnull=True, status=Competition.Status.PUBLISHED)
            .annotate(received=Count("tenders", filter=Q(tenders__status__in=RECEIVED), distinct=True))
            .order_by("closes_at")
        )
        for competition in sealed:
            self.message_user(
                request,
                f"{competition.reference}: {competition.received} response{'s' if competition.received != 1 else ''} "
                "received, sealed until the closing time and opened by two officers.",
                messages.INFO,
            )
        return super().changelist_view(request, extra_context)

    @admin.display(description="staff page")
    def staff_page(self, obj: Tender) -> str:
        return format_html('<a href="{}">Read the response</a>', reverse("awards:officer_tender", args=[obj.pk]))


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin):
    list_display = ["competition", "lot", "winner", "annual_value", "decided_at", "standstill_ends_on", "contract"]
    list_select_related = ["competition", "lot", "tender__supplier", "contract"]
    search_fields = ["competition__reference", "tender__supplier__legal_name"]
    date_hierarchy = "decided_at"
    fields = [
        "competition",
        "lot",
        "winner",
        "annual_value",
        "reasons",
        "decided_by",
        "decided_at",
        "standstill_ends_on",
        "standstill_skipped_reason",
        "contract",
    ]
    readonly_fields = fields

    @admin.display(description="winner")
    def winner(self, obj: Award) -> str:
        return obj.tender.supplier.legal_name


@admin.register(NoAward)
class NoAwardAdmin(ReadOnlyAdmin):
    list_display = ["competition", "lot", "decided_by", "decided_at"]
    list_select_related = ["competition", "lot", "decided_by"]
    search_fields = ["competition__reference"]
    fields = ["competition", "lot", "reasons", "decided_by", "decided_at"]
    readonly_fields = fields


@admin.register(DirectAward)
class DirectAwardAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "title",
        "supplier",
        "annual_value",
        "justification",
        "status",
        "requested_by",
        "decided_by",
    ]
    list_filter = ["status", "justification", "kind"]
    list_select_related = ["supplier", "requested_by", "decided_by"]
    search_fields = ["reference", "title", "supplier__legal_name"]
    date_hierarchy = "requested_at"
    fields = [
        "reference",
        "title",
        "status",
        "staff_page",
        "supplier",
        "framework_lot",
        "areas",
        "kind",
        "annual_value",
        "contract_start_on",
        "term_months",
        "extension_months",
        "justification",
        "explanation",
        "social_value_summary",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "decision_note",
        "contract",
    ]
    readonly_fields = fields

    @admin.display(description="staff page")
    def staff_page(self, obj: DirectAward) -> str:
        return format_html(
            '<a href="{}">Open the direct award</a> to score its Social Value Proposal, approve or reject it',
            reverse("awards:officer_direct_award", args=[obj.pk]),
        )


@admin.register(ClarificationQuestion)
class ClarificationQuestionAdmin(ReadOnlyAdmin):
    list_display = ["competition", "supplier", "asked_at", "answered_at"]
    list_select_related = ["competition", "supplier"]
    search_fields = ["competition__reference", "question", "answer"]
    date_hierarchy = "asked_at"
    fields = [
        "competition",
        "supplier",
        "asked_by",
        "asked_at",
        "question",
        "published_question",
        "answer",
        "answered_by",
        "answered_at",
    ]
    readonly_fields = fields
