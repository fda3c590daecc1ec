"""The organisation's own obligations on the provider's home page (see `commissioning.work_queues`):
accreditations and documents such as insurance certificates expiring soon or expired. Two queries."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from commissioning import work_queues as wq

from .models import Accreditation, SupplierDocument

EXPIRING_DAYS = 90
# Expired ones stay listed this long, so they are renewed rather than forgotten.
EXPIRED_DAYS = 365


def expiring(user, now: datetime) -> wq.Queue | None:
    membership = getattr(user, "supplier_membership", None)
    if membership is None:
        return None
    today = timezone.localdate(now)
    window = {
        "expires_on__lte": today + timedelta(days=EXPIRING_DAYS),
        "expires_on__gte": today - timedelta(days=EXPIRED_DAYS),
    }
    accreditation_rows = Accreditation.objects.filter(supplier_id=membership.supplier_id, **window)
    document_rows = SupplierDocument.objects.filter(supplier_id=membership.supplier_id, **window)
    accreditations = list(accreditation_rows.order_by("expires_on", "pk")[: wq.SHOWN])
    documents = list(document_rows.order_by("expires_on", "pk")[: wq.SHOWN])
    count = wq.count_beyond(accreditation_rows, accreditations, wq.SHOWN) + wq.count_beyond(
        document_rows, documents, wq.SHOWN
    )
    rows = sorted(
        [(a.expires_on, f"{a.get_scheme_display()} accreditation", a) for a in accreditations]
        + [(d.expires_on, f"{d.get_kind_display()}: {d.title}", d) for d in documents],
        key=lambda row: row[0],
    )
    url = reverse("suppliers:organisation")
    items = [
        wq.QueueItem(title=title, url=url, **wq.deadline(expires_on, today, wq.EXPIRY))
        for expires_on, title, _ in rows[: wq.SHOWN]
    ]
    return wq.Queue(
        key="expiring",
        heading="Accreditations and documents expiring",
        count=count,
        items=items,
        urgency=wq.OVERDUE if any(row[0] < today for row in rows) else wq.SOON,
        see_all_url=url,
        see_all_label="See your organisation's details",
    )


def register() -> None:
    wq.register("provider", "expiring", expiring)
