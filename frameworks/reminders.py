"""Application windows closing in 7 and 1 days, to suppliers with a draft application in them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from commissioning.dates import LONDON
from commissioning.models import User
from commissioning.notifications import Due, register_source, rule_for, when_phrase
from commissioning.templatetags.portal import deadline

from .models import Application

KIND = "application-windows-closing"


def window_closing_reminders(today: date) -> Iterator[Due]:
    rule = rule_for(KIND)
    horizon_end = datetime.combine(rule.horizon(today) + timedelta(days=1), time.min, tzinfo=LONDON)
    drafts = (
        Application.objects.filter(
            status=Application.Status.DRAFT, window__closes_at__gt=timezone.now(), window__closes_at__lt=horizon_end
        )
        .select_related("window__framework", "supplier")
        .order_by("pk")
    )
    for application in drafts:
        window = application.window
        closes_on = timezone.localdate(window.closes_at)
        occasion = rule.occasion_for(closes_on, today)
        if not occasion or occasion == "overdue":
            continue
        for user in User.objects.filter(supplier_membership__supplier=application.supplier_id, is_active=True):
            yield Due(
                recipient=user,
                obligation=application,
                occasion=occasion,
                subject=f"{window.framework.title}: applications close {when_phrase(closes_on, today)}",
                url=reverse("frameworks:task_list", args=[application.pk]),
                context={
                    "message": (
                        f"Your application to {window.framework.title} is saved but not submitted. The window "
                        f"closes at {deadline(window.closes_at)}; the portal cannot accept it at or after that."
                    ),
                    "details": [("Closing time", deadline(window.closes_at))],
                    "action": "Finish and submit your application",
                },
            )


def register() -> None:
    register_source(
        KIND, window_closing_reminders, label="Application windows closing", offsets="7,1", remind_when_overdue=False
    )
