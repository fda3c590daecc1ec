"""Plain words for people: times and moments as GOV.UK writes them, audit actions with readable
labels, and recorded values (foreign keys, areas, money, dates) as people say them.

One place, so pages, e-mails and PDF extracts all read the same: "5pm on 3 February 2023",
"11:06am", "midday"; "Meeting action added", never "contracts.meeting_action_added".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils import timezone

# Time and moments -------------------------------------------------------------------------------------


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def time_of_day(moment: dt.datetime | dt.time, *, seconds: bool = False) -> str:
    """'5pm', '11:06am', 'midday', 'midnight' (GOV.UK style); with seconds: '11:06:28pm'."""
    if isinstance(moment, dt.datetime):
        moment = _local(moment).time()
    hour, minute, second = moment.hour, moment.minute, moment.second
    if not seconds or second == 0:
        if minute == 0 and hour == 12:
            return "midday"
        if minute == 0 and hour == 0:
            return "midnight"
    suffix = "am" if hour < 12 else "pm"
    twelve = hour % 12 or 12
    text = str(twelve)
    if minute or (seconds and second):
        text += f":{minute:02d}"
    if seconds and second:
        text += f":{second:02d}"
    return text + suffix


def long_day(day: dt.date, *, weekday: bool = False) -> str:
    """'3 February 2023', or 'Friday 3 February 2023'."""
    return f"{day:%A} {day.day} {day:%B %Y}" if weekday else f"{day.day} {day:%B %Y}"


def when(moment: dt.datetime | None, *, weekday: bool = False, seconds: bool = False) -> str:
    """'5pm on 3 February 2023' in UK time; empty for none."""
    if moment is None or moment == "":
        return ""
    local = _local(moment)
    return f"{time_of_day(local, seconds=seconds)} on {long_day(local.date(), weekday=weekday)}"


# Money ------------------------------------------------------------------------------------------------


def money(value: Any) -> str:
    """£1,351,368 or £296,973.50: pounds with commas, pence only when there are any."""
    if value is None or value == "":
        return ""
    try:
        Decimal(str(value))
    except InvalidOperation:
        return str(value)
    from .numbers import format_money

    return format_money(value)


# Audit actions ----------------------------------------------------------------------------------------

# The portal's own actions; each app adds its own through `register_action_labels` in its ready().
_ACTION_LABELS: dict[str, str] = {
    "accounts.created": "Account created",
    "accounts.deactivated": "Account deactivated",
    "accounts.reactivated": "Account reactivated",
    "accounts.details_changed": "Account details changed",
    "accounts.password_reset_sent": "Password reset link sent",
    "accounts.role_refused": "Account request refused",
    "accounts.two_factor_link_sent": "Two-factor set-up link sent",
    "auth.signed_in": "Signed in",
    "auth.signed_out": "Signed out",
    "auth.sign_in_failed": "Sign-in failed",
    "auth.two_factor_enrolled": "Two-factor authentication set up",
    "auth.two_factor_verified": "Two-factor code accepted",
    "auth.two_factor_failed": "Two-factor code refused",
    "document.downloaded": "Document downloaded",
    "document.retry_requested": "Document asked for again",
}
# Prefixes that name an app rather than a thing: the label is the rest ("contracts.milestone_added"
# reads "Milestone added"); any other prefix names the thing ("direct_award.approved" reads "Direct
# award approved").
APP_PREFIXES = {"commissioning", "contracts", "frameworks", "monitoring", "suppliers", "notices", "awards"}


def register_action_labels(labels: dict[str, str]) -> None:
    """Each app names its audit actions once (in its AppConfig.ready or a module it imports)."""
    _ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    """'contracts.meeting_action_added' -> 'Meeting action added'. An action no app has named still
    reads as words: underscores as spaces, first letter capital, the app's name left out."""
    if action in _ACTION_LABELS:
        return _ACTION_LABELS[action]
    prefix, _, rest = action.rpartition(".")
    words = rest if (not prefix or prefix in APP_PREFIXES) else f"{prefix.rsplit('.', 1)[-1]} {rest}"
    words = words.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else action


def action_labels() -> dict[str, str]:
    return dict(_ACTION_LABELS)


# Recorded values --------------------------------------------------------------------------------------

MONEY_HINTS = ("value", "amount", "price", "budget", "allocation", "contribution", "cost")


def field_label(model: type[models.Model], name: str) -> str:
    try:
        label = str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a field the model no longer has still reads as words
        label = name.replace("_", " ")
    return label[:1].upper() + label[1:]


def field_value(model: type[models.Model], name: str, value: Any) -> str:
    """A recorded field value as people say it: the related record's name (not its id), the areas of a
    many-to-many change (not its through rows), money in pounds, dates in words, Yes or No."""
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001
        field = None
    if value is None or value == "" or value == []:
        return "none"
    if field is not None and field.many_to_many:
        return _many_to_many(field, value)
    if field is not None and (field.many_to_one or field.one_to_one):
        pk = value.pk if isinstance(value, models.Model) else value
        related = field.related_model._default_manager.filter(pk=pk).first()
        if related is None:
            return "a record since removed"
        return getattr(related, "full_name", "") or str(related)  # a person by their name
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return when(value)
    if isinstance(value, dt.date):
        return long_day(value)
    if isinstance(field, models.DecimalField) and any(hint in name for hint in MONEY_HINTS):
        return money(value)
    return str(value)


def _many_to_many(field: models.ManyToManyField, rows: Iterable[Any]) -> str:
    """django-simple-history records a many-to-many change as the through rows ({'contract': 14,
    'area': 1}); people want the names of what is linked."""
    target = field.related_model
    ids = []
    for row in rows:
        if isinstance(row, dict):
            ids.extend(v for k, v in row.items() if k == field.m2m_reverse_field_name())
        elif isinstance(row, models.Model):
            ids.append(row.pk)
        else:
            ids.append(row)
    names = sorted(str(obj) for obj in target._default_manager.filter(pk__in=ids))
    return ", ".join(names) if names else "none"
