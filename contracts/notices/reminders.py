"""Reminders before each notice's deadline, and once it is overdue, to the officers of the buying authority,
through the portal's reminder sweep (each sent once per officer and occasion). The officers change the
offsets in the admin ("Procurement Act notices due")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from django.urls import reverse

from commissioning.dates import long_date
from commissioning.models import User
from commissioning.notifications import Due, register_source, rule_for, when_phrase
from commissioning.reminder_sources import remind_each

from .models import Notice

KIND = "procurement-notices"


def notice_reminders(today: date) -> Iterator[Due]:
    rule = rule_for(KIND)
    notices = list(
        Notice.objects.outstanding()
        .filter(deadline__isnull=False, deadline__lte=rule.horizon(today))
        .select_related("buying_authority")
        .order_by("deadline", "pk")
    )
    officers: dict[int, list[User]] = defaultdict(list)
    for officer in User.objects.filter(
        role=User.Role.OFFICER, is_active=True, authority__in={n.buying_authority_id for n in notices}
    ).order_by("pk"):
        officers[officer.authority_id].append(officer)
    for notice in notices:
        occasion = rule.occasion_for(notice.deadline, today)
        if not occasion:
            continue
        late = notice.deadline < today
        subject = (
            f"Overdue: {notice.get_notice_type_display()} for {notice.title}"
            if late
            else f"{notice.get_notice_type_display()} due {when_phrase(notice.deadline, today)}: {notice.title}"
        )
        yield from remind_each(
            officers.get(notice.buying_authority_id, []),
            obligation=notice,
            occasion=f"{notice.deadline}-{occasion}",
            subject=subject[:200],
            url=reverse("notices:notice", args=[notice.pk]),
            message=f"The {notice.get_notice_type_display()} for {notice.title} is due by "
            f"{long_date(notice.deadline)} ({notice.deadline_basis}). Publish it on Find a Tender, then "
            "record its notice number and date on the portal.",
            details=[("Deadline", long_date(notice.deadline)), ("Why it is needed", notice.basis)],
            action="Preview the notice",
        )


def register() -> None:
    register_source(
        KIND, notice_reminders, label="Procurement Act notices due", offsets="14,7,1", remind_when_overdue=True
    )
