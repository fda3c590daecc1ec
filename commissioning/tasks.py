"""Celery entry points of the shared core. They call services; they hold no business logic."""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from . import documents, email, notifications, signin
from .audit import verify_chain
from .models import GeneratedDocument

logger = logging.getLogger(__name__)

# The reminder sweep and the e-mail tasks are safe to run again: a lost database connection acknowledges
# nothing and retries them, three times at the most, with their own backoff.
RETRIED_ON_DATABASE_ERRORS = {"acks_late": True, "autoretry_for": (OperationalError, InterfaceError), "max_retries": 3}


@shared_task(name="commissioning.verify_audit_chain")
def verify_audit_chain() -> dict:
    """Nightly integrity check of the audit trail; the result says where the chain breaks, if it does."""
    checked, broken = verify_chain()
    return {
        "checked": checked,
        "broken_event_id": broken.event_id if broken else None,
        "reason": broken.reason if broken else "",
    }


@shared_task(name="commissioning.forget_old_sign_in_failures")
def forget_old_sign_in_failures() -> int:
    """Hourly: drop sign-in failure counts no lock needs any more."""
    return signin.forget_old_failures()


@shared_task(
    name="commissioning.send_reminders",
    retry_backoff=60,
    soft_time_limit=50 * 60,
    time_limit=55 * 60,
    **RETRIED_ON_DATABASE_ERRORS,
)
def send_reminders(today: str | None = None) -> dict:
    """The daily sweep. Safe to run twice, retry or kill: each reminder is claimed before it is sent."""
    result = notifications.run_sweep(date.fromisoformat(today) if today else None)
    return result.as_dict()


@shared_task(
    name="commissioning.send_email",
    retry_backoff=30,
    **RETRIED_ON_DATABASE_ERRORS,
)
def send_email(notification_id: int) -> str:
    """Send one recorded e-mail. Safe to deliver twice: the row is claimed before it is sent. A refusal
    is recorded on the row and the next attempt queued after the backoff (EMAIL_RETRY_DELAY_SECONDS,
    doubling), up to EMAIL_MAX_ATTEMPTS; with eager tasks the retry sweep makes it instead."""
    return email.send_now(notification_id).status


@shared_task(
    name="commissioning.retry_emails",
    retry_backoff=60,
    **RETRIED_ON_DATABASE_ERRORS,
)
def retry_emails() -> dict:
    """Between sweeps: send what is due again (failed sends after their backoff, rows whose task was
    lost, claims a stopped worker left), each a bounded number of times."""
    return dict(email.retry_unsent())


@shared_task(
    bind=True,
    name="commissioning.generate_document",
    acks_late=True,
    max_retries=None,  # bounded by settings.DOCUMENT_MAX_RETRIES below, so it can be configured
    soft_time_limit=9 * 60,
    time_limit=10 * 60,
)
def generate_document(self, document_id: int) -> str:
    """Produce one PDF; retry a bounded number of times, then mark it failed with a readable reason."""
    try:
        documents.generate(document_id=document_id)
    except (documents.DocumentNotQueued, GeneratedDocument.DoesNotExist) as exc:
        logger.info("Nothing to do for document %s: %s", document_id, exc)
        return "skipped"
    except Exception as exc:
        logger.exception("Document %s failed (attempt %s)", document_id, self.request.retries + 1)
        if self.request.retries >= settings.DOCUMENT_MAX_RETRIES:
            documents.record_failure(document_id=document_id, error=exc, final=True)
            return "failed"
        if self.request.is_eager:
            # No broker to hold a later attempt (the laptop and the tests): try again straight away.
            documents.record_failure(document_id=document_id, error=exc, final=False, retry_in=0)
            return self.apply(args=[document_id], retries=self.request.retries + 1).result
        countdown = settings.DOCUMENT_RETRY_DELAY_SECONDS * 2**self.request.retries
        documents.record_failure(document_id=document_id, error=exc, final=False, retry_in=countdown)
        raise self.retry(exc=exc, countdown=countdown) from exc
    return "ready"


@shared_task(name="commissioning.seal_audit_events")
def seal_audit_events() -> int:
    """Seals events whose process stopped between its commit and sealing them (normally none)."""
    from .audit import seal_pending

    return seal_pending()
