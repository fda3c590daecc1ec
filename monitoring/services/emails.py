"""Who hears about a return, through the one e-mail path."""

from __future__ import annotations

from django.conf import settings

from commissioning.email import send_after_commit
from commissioning.models import User
from contracts.models import Contract


def _provider_emails(contract: Contract) -> list[str]:
    if contract.supplier_manager_user_id and contract.supplier_manager_user.is_active:
        return [contract.supplier_manager_user.email]
    return list(
        User.objects.filter(supplier_membership__supplier=contract.supplier_id, is_active=True).values_list(
            "email", flat=True
        )
    )


def _officer_emails(contract: Contract) -> list[str]:
    if contract.officer_manager_id and contract.officer_manager.is_active:
        return [contract.officer_manager.email]
    return list(
        User.objects.filter(role=User.Role.OFFICER, is_active=True, authority=contract.buying_authority_id).values_list(
            "email", flat=True
        )
    )


def _email(*, to: list[str], subject: str, message: str, url: str, details: list[tuple[str, str]]) -> None:
    send_after_commit(
        to=to,
        subject=subject,
        template="monitoring_return",
        context={
            "subject": subject,
            "message": message,
            "details": details,
            "url": url,
            "support_email": settings.SUPPORT_EMAIL,
        },
    )
