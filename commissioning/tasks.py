"""Celery entry points of the shared core. They call services; they hold no business logic."""

from celery import shared_task

from .audit import verify_chain


@shared_task(name="commissioning.verify_audit_chain")
def verify_audit_chain() -> dict:
    """Nightly integrity check of the audit trail; the result says where the chain breaks, if it does."""
    checked, broken = verify_chain()
    return {
        "checked": checked,
        "broken_event_id": broken.event_id if broken else None,
        "reason": broken.reason if broken else "",
    }
