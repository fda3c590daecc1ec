"""Application windows closing in 7 and 1 days, to suppliers with a draft application in them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.urls import reverse
from django.utils import timezone

from commissioning.models import User
from commissioning.notifications import Due, register_source, rule_for, when_phrase
from commissioning.reminder_sources import drafts_due_before_closing, remind_each
from commissioning.templatetags.portal import deadline

from .models import Application

KIND = "application-windows-closing"


def window_closing_reminders(today: date) -> Iterator[Due]:
    rule = rule_for(KIND)
    horizon_end = rule.closes_before(today)
    drafts = (
        Application.objects.filter(
            status=Application.Status.DRAFT, window__closes_at__gt=timezone.now(), window__closes_at__lt=horizon_end
        )
        .select_related("window__framework", "supplier")
        .order_by("pk")
    )
    for application, closes_on, occasion in drafts_due_before_closing(
        drafts, lambda a: a.window.closes_at, rule, today
    ):
        window = application.window
        yield from remind_each(
            User.objects.filter(supplier_membership__supplier=application.supplier_id, is_active=True),
            obligation=application,
            occasion=occasion,
            subject=f"{window.framework.title}: applications close {when_phrase(closes_on, today)}",
            url=reverse("frameworks:task_list", args=[application.pk]),
            message=f"Your application to {window.framework.title} is saved but not submitted. The window "
            f"closes at {deadline(window.closes_at)}; the portal cannot accept it at or after that.",
            details=[("Closing time", deadline(window.closes_at))],
            action="Finish and submit your application",
        )


def register() -> None:
    register_source(
        KIND, window_closing_reminders, label="Application windows closing", offsets="7,1", remind_when_overdue=False
    )
    register_source(
        REAWARD,
        reaward_reminders,
        label="Open frameworks due to be re-awarded",
        offsets="90,30,7",
        remind_when_overdue=True,
    )


REAWARD = "framework-reaward"


def reaward_reminders(today: date) -> Iterator[Due]:
    """An open framework's next re-award (the scheme's 12 months, within the Act's limits), to the officers
    of its lead authority."""
    from .models import Framework
    from .open_frameworks import next_reaward

    rule = rule_for(REAWARD)
    frameworks = Framework.objects.filter(is_open_framework=True, term_end__gte=today).prefetch_related("awards")
    officers = {}
    for framework in frameworks:
        due = next_reaward(framework, list(framework.awards.all()))
        if due is None or due.due_on > rule.horizon(today):
            continue
        occasion = rule.occasion_for(due.due_on, today)
        if not occasion:
            continue
        if framework.lead_authority_id not in officers:
            officers[framework.lead_authority_id] = list(
                User.objects.filter(role=User.Role.OFFICER, is_active=True, authority=framework.lead_authority_id)
            )
        yield from remind_each(
            officers[framework.lead_authority_id],
            obligation=framework,
            occasion=f"{due.due_on}-{occasion}",
            subject=f"{framework.reference} must be re-awarded {when_phrase(due.due_on, today)}",
            url=reverse("frameworks:officer_frameworks"),
            message=f"{framework.title} is an open framework. {due.basis} Open a window for new "
            "suppliers in good time; the re-award keeps everyone already appointed.",
            details=[("Re-award due", f"{due.due_on:%d %B %Y}")],
            action="See the framework",
        )
