"""Reminders that are sent exactly once.

Each app registers a *source*: a function that, given today's date, works out from the database
what is due and yields `Due` items. The daily sweep asks every source, then for each item records a
`Notification` row under a unique key (recipient, kind, obligation, occasion) in its own short
transaction and sends it at once through the portal's one e-mail path (`commissioning.email`: claim,
send, mark). A second sweep, a retried task or a second worker finds the row and skips it. A claim
left unsent (the worker died between the claim and the mark) or a send that failed is picked up again
by the retry sweep, with backoff and a bounded number of times.

Nothing is scheduled far in the future: if an obligation changes or disappears, tomorrow's sweep
simply no longer yields it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from . import email
from .audit import record
from .email import render_pair
from .models import Notification, ReminderRule, User

logger = logging.getLogger(__name__)

DEFAULT_TEMPLATE = "email/reminder"


@dataclass(frozen=True)
class Due:
    """One reminder a source says is due today.

    `template` names a pair of templates, `<template>.txt` and `<template>.html`; the default one
    shows `context["message"]` (and optional `context["details"]`, a list of (label, value)) and a
    link to `url`, which is a path inside the portal such as "/monitoring/returns/12/".
    """

    recipient: User
    obligation: models.Model
    occasion: str
    subject: str
    url: str
    context: dict[str, Any] = field(default_factory=dict)
    template: str = DEFAULT_TEMPLATE
    sealed_until: datetime | None = None  # kept out of the officers' e-mail log until then (bidders)
    sealed_for: str = ""  # or until this is unsealed (see commissioning.email.unseal)


@dataclass(frozen=True)
class Source:
    kind: str
    func: Callable[[date], Iterable[Due]]
    label: str
    offsets: str
    escalate_after_days: int | None
    remind_when_overdue: bool


_sources: dict[str, Source] = {}


def register_source(
    kind: str,
    func: Callable[[date], Iterable[Due]],
    *,
    label: str = "",
    offsets: str = "",
    escalate_after_days: int | None = None,
    remind_when_overdue: bool = True,
) -> None:
    """Add a reminder source. The keyword arguments are the defaults of its `ReminderRule`, created on
    first use; after that officers own the rule in the admin."""
    _sources[kind] = Source(
        kind=kind,
        func=func,
        label=label or kind.replace("-", " ").capitalize(),
        offsets=offsets,
        escalate_after_days=escalate_after_days,
        remind_when_overdue=remind_when_overdue,
    )


def unregister_source(kind: str) -> None:
    _sources.pop(kind, None)


def registered_sources() -> list[str]:
    return sorted(_sources)


def rule_for(kind: str) -> ReminderRule:
    """The rule of a kind of reminder, created with the source's defaults the first time it is needed."""
    source = _sources.get(kind)
    defaults: dict[str, Any] = {"label": kind.replace("-", " ").capitalize()}
    if source is not None:
        defaults = {
            "label": source.label,
            "offsets": source.offsets,
            "escalate_after_days": source.escalate_after_days,
            "remind_when_overdue": source.remind_when_overdue,
        }
    rule, _ = ReminderRule.objects.get_or_create(kind=kind, defaults=defaults)
    return rule


def when_phrase(due: date, today: date) -> str:
    """Plain words for how far away a date is: "in 7 days", "tomorrow", "today", "3 days ago"."""
    days = (due - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    if days > 1:
        return f"in {days} days"
    return f"{-days} days ago"


@dataclass
class SweepResult:
    today: date
    counts: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {"date": self.today.isoformat(), **dict(sorted(self.counts.items()))}

    def __str__(self) -> str:
        parts = ", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in sorted(self.counts.items()))
        return f"Reminder sweep for {self.today:%d %B %Y}: {parts or 'nothing due'}."


def run_sweep(today: date | None = None) -> SweepResult:
    """Retry what earlier runs left unsent, then send everything every enabled source says is due.

    Must run outside a transaction (as Celery tasks and management commands do): each claim has to be
    committed before its email leaves, or a crash could undo the claim of a message already sent.
    """
    result = SweepResult(today=today or timezone.localdate())
    retry_unsent(counts=result.counts)
    for kind in registered_sources():
        source = _sources[kind]
        rule = rule_for(kind)
        if not rule.enabled:
            result.counts["sources_disabled"] += 1
            continue
        try:
            for due in source.func(result.today):
                _deliver_new(kind=kind, due=due, counts=result.counts)
        except SoftTimeLimitExceeded:
            raise  # out of time: stop here; what is claimed and unsent is retried by the next run
        except Exception:
            # One broken source must not stop the others; the log and the count say what happened.
            logger.exception("Reminder source %s failed", kind)
            result.counts["source_errors"] += 1
    logger.info("%s", result)
    return result


def retry_unsent(*, counts: Counter | None = None) -> Counter:
    """Send again what is due (reminders and every other e-mail): see `commissioning.email`."""
    return email.retry_unsent(counts=counts)


def _deliver_new(*, kind: str, due: Due, counts: Counter) -> None:
    key = _once_key(kind, due)
    counts["due"] += 1
    if Notification.objects.filter(**key).exists():
        counts["already_claimed"] += 1
        return
    if not (due.recipient.is_active and due.recipient.email):
        counts["skipped_inactive"] += 1
        return
    try:
        body_text, body_html = _render(due)
    except SoftTimeLimitExceeded:
        raise
    except Exception:
        logger.exception("Could not render the %s reminder for %s", kind, due.recipient.email)
        counts["render_errors"] += 1
        return
    try:
        with transaction.atomic():
            notification = _record(
                kind,
                due,
                body_text,
                body_html,
                sealed_for=due.sealed_for,
                queue_on_commit=False,  # sent here and now: the sweep is already a task
            )
    except IntegrityError:
        counts["already_claimed"] += 1  # another sweep claimed it between our check and our insert
        return
    counts[email.send_now(notification.pk).status] += 1


def send_once_after_commit(*, kind: str, due: Due) -> Notification | None:
    """A reminder asked for by a person (an officer chasing an overdue return), inside their request's
    transaction: recorded under the same once-only key as the sweep's, so one `occasion` reaches each
    recipient once, and sent when the transaction commits. None when it was already sent, or the
    recipient cannot receive it."""
    key = _once_key(kind, due)
    if Notification.objects.filter(**key).exists() or not (due.recipient.is_active and due.recipient.email):
        return None
    body_text, body_html = _render(due)
    return _record(kind, due, body_text, body_html)


def _once_key(kind: str, due: Due) -> dict:
    """What makes a reminder once-only: one `occasion` of one obligation reaches each recipient once."""
    return {
        "recipient": due.recipient,
        "kind": kind,
        "obligation_type": ContentType.objects.get_for_model(due.obligation),
        "obligation_id": str(due.obligation.pk),
        "occasion": due.occasion,
    }


def _record(kind: str, due: Due, body_text: str, body_html: str, **extra) -> Notification:
    """The reminder's Notification row (see `commissioning.email.record_email`)."""
    return email.record_email(
        address=due.recipient.email,
        recipient=due.recipient,
        kind=kind,
        obligation=due.obligation,
        occasion=due.occasion,
        subject=due.subject,
        body_text=body_text,
        body_html=body_html,
        url=due.url,
        sealed_until=due.sealed_until,
        **extra,
    )


def _render(due: Due) -> tuple[str, str]:
    return render_pair(
        due.template,
        {
            **due.context,
            "recipient": due.recipient,
            "subject": due.subject,
            "link": f"{settings.PORTAL_BASE_URL}{due.url}",
        },
    )


def save_rule(*, rule: ReminderRule, changed: list[str], by: User) -> ReminderRule:
    """Officers change when reminders go out; the change is a decision, so it is audited."""
    with transaction.atomic():
        rule.full_clean()
        rule.save()
        record(
            "reminders.rule_changed",
            by=by,
            obj=rule,
            data={
                "changed": changed,
                "offsets": rule.offset_days,
                "remind_when_overdue": rule.remind_when_overdue,
                "escalate_after_days": rule.escalate_after_days,
                "enabled": rule.enabled,
            },
        )
    return rule


def notifications_for(user: User) -> models.QuerySet[Notification]:
    """A user's own notifications, newest first: nobody sees anyone else's."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def mark_read(*, notification: Notification, by: User) -> Notification:
    """The recipient has read it. Not an audited decision: it changes nothing but their own list.
    Reading it again keeps the time it was first read."""
    if notification.recipient_id != by.pk:
        raise PermissionDenied("This is not your notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def mark_all_read(*, by: User) -> int:
    return notifications_for(by).filter(read_at__isnull=True).update(read_at=timezone.now())
