"""Celery entry points of the contract register; each calls one service."""

from celery import shared_task


@shared_task(name="contracts.record_contract_ends")
def record_contract_ends() -> int:
    """Daily: tell the other apps which contracts reached the end of their term."""
    from . import services

    return len(services.record_contract_ends())
