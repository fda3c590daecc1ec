"""The one way the portal sends e-mail, transactional messages and reminders alike.

1. Record: each address gets its own `Notification` row (its own e-mail: bidders never see who else was
   told), rendered now from a template pair (text and HTML) inside the caller's transaction, so an action
   that rolls back sends nothing. The row belongs to the user with that address, if there is one, and is
   listed on their notifications page.
2. Queue: once the transaction commits, the `commissioning.send_email` task is queued for each row. If the
   broker cannot take it, the row stays queued and the retry sweep sends it.
3. Send: the task claims the row (a conditional update, committed before the message leaves) and sends
   it. A refusal marks the row failed with the reason and queues a retry with exponential backoff, up to
   EMAIL_MAX_ATTEMPTS attempts; the request that caused the e-mail never sees the mail server.
4. Sweep: `retry_unsent` (beat, every few minutes; also the first step of the daily reminder sweep) sends
   what is due again: failed rows whose backoff has passed, queued rows whose task never ran, and claims a
   stopped worker left behind. Where tasks run eagerly (no broker) it is the sweep that retries.

The claim is what makes each e-mail go once however many tasks and sweeps reach it: the attempts number
is the claim token, and only the one update that moves it on may send.
"""

from __future__ import annotations

import logging
import smtplib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from .models import Notification, User

logger = logging.getLogger(__name__)

Status = Notification.Status


def render_pair(template: str, context: dict) -> tuple[str, str]:
    """The plain-text and HTML bodies of `<template>.txt` and `<template>.html`, with the portal's name,
    address and support email available to both."""
    full = {
        "portal_name": settings.PORTAL_NAME,
        "base_url": settings.PORTAL_BASE_URL,
        "support_email": settings.SUPPORT_EMAIL,
        **context,
    }
    return render_to_string(f"{template}.txt", full), render_to_string(f"{template}.html", full)


# Recording ------------------------------------------------------------------------------------------

# An e-mail sealed for something (`sealed_for`, such as a competition until its opening) stays out of the
# officers' log until `unseal` is called for it, however long that takes.
SEALED_UNTIL_UNSEALED = datetime(9999, 12, 31, tzinfo=UTC)


def unseal(sealed_for: str, *, now: datetime | None = None) -> int:
    """The e-mails sealed for this may now be listed in the e-mail log (the responses were opened)."""
    return Notification.objects.filter(sealed_for=sealed_for, sealed_until__gt=now or timezone.now()).update(
        sealed_until=now or timezone.now()
    )


def send_after_commit(
    *,
    to: Iterable[str],
    subject: str,
    template: str,
    context: dict,
    sealed_until: datetime | None = None,
    sealed_for: str = "",
) -> list[Notification]:
    """Record one e-mail per address from the pair email/<template>.txt and .html, and send each once the
    caller's transaction commits. Each is rendered for its recipient (`recipient` in the context is the
    user with that address, or None); `context["url"]`, a path in the portal, is where the notification
    page links. `sealed_until` keeps the e-mail out of the officers' log until then (a bidder's receipt)."""
    addresses = sorted({address.strip() for address in to if address and address.strip()}, key=str.lower)
    if not addresses:
        return []
    users = users_by_address(addresses)
    url = context.get("url")
    recorded = []
    for address in addresses:
        user = users.get(address.lower())
        text, html = render_pair(f"email/{template}", {"recipient": user, "subject": subject, **context})
        recorded.append(
            record_email(
                address=address,
                recipient=user,
                kind=template.replace("/", "-").replace("_", "-"),
                subject=subject,
                body_text=text,
                body_html=html,
                url=url if isinstance(url, str) and url.startswith("/") else "",
                sealed_until=sealed_until,
                sealed_for=sealed_for,
            )
        )
    return recorded


def users_by_address(addresses: Iterable[str]) -> dict[str, User]:
    """The accounts of these addresses, keyed by the lower-cased address (addresses are compared
    without case, as mail servers do)."""
    lowered = {address.lower() for address in addresses}
    found = User.objects.annotate(lowered_email=Lower("email")).filter(lowered_email__in=lowered)
    return {user.lowered_email: user for user in found}


def record_email(
    *,
    address: str,
    recipient: User | None,
    kind: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    url: str = "",
    obligation: models.Model | None = None,
    occasion: str = "",
    confidential: bool = False,
    sealed_until: datetime | None = None,
    sealed_for: str = "",
    queue_on_commit: bool = True,
) -> Notification:
    """Write the row, queued, in the current transaction, and queue its task once that commits.

    The sweep leaves a queued row to its task for EMAIL_RETRY_DELAY_SECONDS before taking it over."""
    now = timezone.now()
    notification = Notification.objects.create(
        recipient=recipient,
        email=address,
        kind=kind[:80],
        obligation_type=ContentType.objects.get_for_model(obligation) if obligation is not None else None,
        obligation_id=str(obligation.pk) if obligation is not None else "",
        occasion=occasion,
        subject=" ".join(subject.split())[:200],
        body_text=body_text,
        body_html=body_html,
        url=url[:500],
        confidential=confidential,
        sealed_until=SEALED_UNTIL_UNSEALED if sealed_for else sealed_until,
        sealed_for=sealed_for,
        status=Status.QUEUED,
        next_attempt_at=now + timedelta(seconds=settings.EMAIL_RETRY_DELAY_SECONDS),
        created_at=now,
    )
    if queue_on_commit:
        pk = notification.pk
        transaction.on_commit(lambda: queue_delivery(pk), robust=True)
    return notification


def queue_delivery(notification_id: int, *, countdown: int = 0) -> None:
    """Hand the row to the send task. A broker that refuses it loses nothing: the sweep takes the row."""
    from .tasks import send_email

    options: dict[str, Any] = {"queue": settings.EMAIL_QUEUE} if settings.EMAIL_QUEUE else {}
    if countdown:
        options["countdown"] = countdown
    try:
        send_email.apply_async(args=[notification_id], **options)
    except (BrokerError, OSError):
        logger.exception("Could not queue e-mail %s; the retry sweep will send it", notification_id)
        Notification.objects.filter(pk=notification_id, status__in=[Status.QUEUED, Status.FAILED]).update(
            next_attempt_at=timezone.now()
        )


# Sending --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """What one attempt did: `status` is "sent", "failed", "given_up" or "skipped" (someone else had
    it, or it was already done); `retry_in` is the backoff before the next attempt, if there is one."""

    status: str
    retry_in: int | None = None


SKIPPED = Delivery("skipped")


def send_now(notification_id: int) -> Delivery:
    """Deliver, and if the mail server refused, queue the next attempt after the backoff."""
    outcome = deliver(notification_id)
    if outcome.retry_in is not None:
        schedule_retry(notification_id, outcome.retry_in)
    return outcome


def deliver(notification_id: int) -> Delivery:
    """Claim a queued or due failed row and send it: the send task's work."""
    now = timezone.now()
    due = Q(status=Status.QUEUED) | (
        Q(status=Status.FAILED) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    )
    notification = _claim(notification_id, due)
    return _send(notification) if notification is not None else SKIPPED


def retry_unsent(*, counts: Counter | None = None) -> Counter:
    """Send what is due again, bounded by EMAIL_MAX_ATTEMPTS: failed sends whose backoff has passed,
    queued rows whose task never ran, and claims left by a worker that stopped mid-send."""
    counts = counts if counts is not None else Counter()
    max_attempts = settings.EMAIL_MAX_ATTEMPTS
    now = timezone.now()
    stale = Q(status=Status.CLAIMED, claimed_at__lt=now - settings.EMAIL_CLAIM_TIMEOUT)
    waiting = Q(status__in=[Status.QUEUED, Status.FAILED]) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    for notification in Notification.objects.filter(stale, attempts__gte=max_attempts):
        gave_up = Notification.objects.filter(stale, pk=notification.pk, attempts=notification.attempts).update(
            status=Status.FAILED,
            next_attempt_at=None,
            last_error=f"Gave up after {max_attempts} attempts: the last one never finished (the worker stopped).",
            **_erased(notification),
        )
        counts["given_up"] += gave_up
    candidates = Notification.objects.filter(stale | waiting, attempts__lt=max_attempts).order_by("pk")
    for pk in candidates.values_list("pk", flat=True):
        notification = _claim(pk, stale | waiting)
        if notification is None:
            continue  # another sweep or the row's own task took it first
        counts["retried"] += 1
        outcome = _send(notification)
        counts[outcome.status] += 1
        if outcome.retry_in is not None:
            schedule_retry(notification.pk, outcome.retry_in)
    return counts


def schedule_retry(notification_id: int, retry_in: int) -> None:
    """Queue the next attempt after the backoff. With no broker (eager tasks) nothing can wait, so the
    row waits for the retry sweep instead."""
    from .tasks import send_email

    if send_email.app.conf.task_always_eager:
        return
    queue_delivery(notification_id, countdown=retry_in)


def _claim(notification_id: int, condition: Q) -> Notification | None:
    """Take the row if it meets `condition` and nobody has moved it on since it was read: the attempts
    number is the claim token. The claim is committed before anything is sent."""
    current = (
        Notification.objects.filter(condition, pk=notification_id, attempts__lt=settings.EMAIL_MAX_ATTEMPTS)
        .values_list("attempts", flat=True)
        .first()
    )
    if current is None:
        return None
    taken = Notification.objects.filter(condition, pk=notification_id, attempts=current).update(
        status=Status.CLAIMED, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not taken:
        return None
    return Notification.objects.get(pk=notification_id)


def _send(notification: Notification) -> Delivery:
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        to=[notification.email],
        headers={"X-Portal-Notification": str(notification.pk)},
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    try:
        message.send()
    except SoftTimeLimitExceeded:
        raise  # leave the claim as it is: once stale, the sweep sends it
    except Exception as exc:
        return _record_failure(notification, exc)
    # Marked sent unconditionally: it was sent, whoever holds the claim now.
    Notification.objects.filter(pk=notification.pk).update(
        status=Status.SENT, sent_at=timezone.now(), next_attempt_at=None, last_error="", **_erased(notification)
    )
    return Delivery("sent")


def _record_failure(notification: Notification, exc: Exception) -> Delivery:
    reason = failure_reason(exc)
    final = notification.attempts >= settings.EMAIL_MAX_ATTEMPTS
    retry_in = None if final else settings.EMAIL_RETRY_DELAY_SECONDS * 2 ** (notification.attempts - 1)
    logger.warning(
        "E-mail %s to %s not sent (attempt %s%s): %s",
        notification.pk,
        notification.email,
        notification.attempts,
        ", giving up" if final else f", next in {retry_in} s",
        reason,
    )
    Notification.objects.filter(pk=notification.pk, status=Status.CLAIMED, attempts=notification.attempts).update(
        status=Status.FAILED,
        last_error=reason,
        next_attempt_at=None if final else timezone.now() + timedelta(seconds=retry_in),
        **(_erased(notification) if final else {}),
    )
    return Delivery("given_up" if final else "failed", retry_in)


def failure_reason(exc: Exception) -> str:
    """What the mail server said, readably: "SMTPDataError: 451 4.3.0 Try again later"."""
    name = type(exc).__name__
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refusals = "; ".join(f"{address}: {_smtp_reply(*reply)}" for address, reply in exc.recipients.items())
        return f"{name}: {refusals}"[:2000]
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{name}: {_smtp_reply(exc.smtp_code, exc.smtp_error)}"[:2000]
    return f"{name}: {exc}"[:2000]


def _smtp_reply(code: int, text: bytes | str) -> str:
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}".strip()


def _erased(notification: Notification) -> dict[str, str]:
    """A confidential body (a password reset link) is kept only while it may still have to be sent."""
    return {"body_text": "", "body_html": ""} if notification.confidential else {}
