"""The daily pass that keeps every record's notices in step with the Act (deadlines follow the records
they depend on: an extension moves a contract's end and so its termination notice)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="contracts.sync_notices", acks_late=True)
def sync_notices() -> int:
    from .services import sync_all_notices

    return sync_all_notices()
