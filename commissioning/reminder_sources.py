"""What the reminder sources (see `commissioning.notifications`) have in common.

Every source ends the same way: the same message, in the default template's terms (a message, a few
labelled details and the link's wording), to each of a list of people, often the active provider users
of a supplier or the officers of an authority, looked up for all the source's obligations at once rather
than one query each. Those chasing drafts before a closing time also pick the day's reminders alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone

from .models import ReminderRule, User
from .notifications import Due

Draft = TypeVar("Draft")


def remind_each(
    recipients: Iterable[User],
    *,
    obligation: models.Model,
    occasion: str,
    subject: str,
    url: str,
    message: str,
    details: Iterable[tuple[str, str]],
    action: str,
    **due: Any,
) -> Iterator[Due]:
    """The same reminder to each recipient: `message`, `details` (label and value) and `action` (the
    link's wording) fill the default template; `due` holds the other fields of `Due` (such as
    `sealed_for`)."""
    details = list(details)
    for recipient in recipients:
        yield Due(
            recipient=recipient,
            obligation=obligation,
            occasion=occasion,
            subject=subject,
            url=url,
            context={"message": message, "details": list(details), "action": action},
            **due,
        )


def provider_users_by_supplier(supplier_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active provider users of each of these suppliers, in one query."""
    found: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(
        supplier_membership__supplier__in=set(supplier_ids), is_active=True, role=User.Role.PROVIDER
    ).select_related("supplier_membership"):
        found[user.supplier_membership.supplier_id].append(user)
    return found


def officers_by_authority(authority_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active officers of each of these authorities, in one query."""
    found: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(authority__in=set(authority_ids), is_active=True, role=User.Role.OFFICER):
        found[user.authority_id].append(user)
    return found


def drafts_due_before_closing(
    drafts: Iterable[Draft], closes_at: Callable[[Draft], datetime], rule: ReminderRule, today: date
) -> Iterator[tuple[Draft, date, str]]:
    """The drafts to remind today ahead of their closing time, each with its closing day and the
    occasion: none once it has closed, since a closed draft can no longer be submitted."""
    for draft in drafts:
        closes_on = timezone.localdate(closes_at(draft))
        occasion = rule.occasion_ahead_of(closes_on, today)
        if occasion:
            yield draft, closes_on, occasion
