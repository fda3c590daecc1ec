"""Accreditations and insurance expiring in 60 and 30 days, and expired: to the supplier's users, and
to the commissioning officers once something has expired (an appointment may need suspending)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from django.urls import reverse

from commissioning.models import User
from commissioning.notifications import Due, register_source, rule_for, when_phrase
from commissioning.reminder_sources import remind_each

from .models import Accreditation, SupplierDocument

KIND = "accreditations-and-insurance-expiring"
# Something that expired longer ago than this was chased at the time.
EXPIRED_LOOKBACK_DAYS = 30


def _expiring(today: date, horizon: date):
    since = today - timedelta(days=EXPIRED_LOOKBACK_DAYS)
    for accreditation in Accreditation.objects.filter(expires_on__gte=since, expires_on__lte=horizon).select_related(
        "supplier"
    ):
        yield accreditation, accreditation.display_name
    for document in SupplierDocument.objects.filter(
        kind__in=SupplierDocument.INSURANCE_KINDS, expires_on__gte=since, expires_on__lte=horizon
    ).select_related("supplier"):
        yield document, document.title


def expiry_reminders(today: date) -> Iterator[Due]:
    rule = rule_for(KIND)
    officers = list(User.objects.filter(role=User.Role.OFFICER, is_active=True))
    for item, name in _expiring(today, rule.horizon(today)):
        occasion = rule.occasion_for(item.expires_on, today)
        if not occasion:
            continue
        supplier = item.supplier
        expired = occasion == "overdue"
        subject = (
            f"{name} for {supplier.legal_name} has expired"
            if expired
            else f"{name} for {supplier.legal_name} expires {when_phrase(item.expires_on, today)}"
        )
        yield from remind_each(
            list(User.objects.filter(supplier_membership__supplier=supplier, is_active=True)),
            obligation=item,
            occasion=f"{item.expires_on}-{occasion}",
            subject=subject,
            url=reverse("suppliers:organisation"),
            message=f"{subject}. Upload the renewed certificate or accreditation so that your "
            "appointments and applications stay valid.",
            details=[("Expiry date", item.expires_on.strftime("%-d %B %Y"))],
            action="Update your organisation's profile",
        )
        if expired:
            yield from remind_each(
                officers,
                obligation=item,
                occasion=f"{item.expires_on}-expired-officer",
                subject=subject,
                url=reverse("admin:suppliers_supplier_change", args=[supplier.pk]),
                message=f"{subject}. Check whether its appointments should be suspended.",
                details=[("Supplier", supplier.legal_name)],
                action="Open the supplier",
            )


def register() -> None:
    register_source(
        KIND, expiry_reminders, label="Accreditations and insurance expiring", offsets="60,30", remind_when_overdue=True
    )
