"""The coverage matrix's appointee tallies (`AppointeeTally`): recounted lot by lot, inside the transaction of
every service that changes an appointment (appointing, suspending, reinstating or removing, correcting it in
the admin, importing an approved list), so the matrix reads a few rows a lot however many suppliers there
are. `manage.py rebuild_coverage_tallies` recounts every lot, with the live contract tallies, after rows
were written behind the services; `--check` compares the tallies with a full recount.

A lot's recount reads that lot's appointments, which is what a change to one of them may move; the lots are
locked first, in order, so two changes on one lot recount one after the other instead of both inserting.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, QuerySet

from .models import AppointeeTally, Appointment, Lot

Key = tuple[int, int, bool, object]


def counted(appointments: QuerySet[Appointment] | None = None) -> dict[Key, int]:
    """{(lot, area, shared, ends_on): appointees} recounted from the active appointments."""
    appointments = Appointment.objects.all() if appointments is None else appointments
    rows = (
        Appointment.areas.through.objects.filter(appointment__in=appointments.active().values("pk"))
        .values_list(
            "appointment__lot_id", "area_id", "appointment__consent_share_with_partners", "appointment__ends_on"
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(lot, area, bool(shared), ends_on): n for lot, area, shared, ends_on, n in rows}


def kept(lots: Iterable[int] | None = None) -> dict[Key, int]:
    tallies = AppointeeTally.objects.all() if lots is None else AppointeeTally.objects.filter(lot_id__in=lots)
    return {
        (lot, area, shared, ends_on): n
        for lot, area, shared, ends_on, n in tallies.values_list("lot_id", "area_id", "shared", "ends_on", "appointees")
    }


def recount(lot_ids: Iterable[int | None]) -> None:
    """Recount the tallies of these lots from their appointments."""
    ids = sorted({pk for pk in lot_ids if pk is not None})
    if not ids:
        return
    with transaction.atomic():
        list(Lot.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
        AppointeeTally.objects.filter(lot_id__in=ids).delete()
        AppointeeTally.objects.bulk_create(
            AppointeeTally(lot_id=lot, area_id=area, shared=shared, ends_on=ends_on, appointees=n)
            for (lot, area, shared, ends_on), n in counted(Appointment.objects.filter(lot_id__in=ids)).items()
        )


def rebuild() -> int:
    """Recount every lot's tallies; returns how many tally rows there are now."""
    recount(Lot.objects.values_list("pk", flat=True))
    return AppointeeTally.objects.count()


def differing() -> set[Key]:
    expected, actual = counted(), kept()
    return {key for key in expected.keys() | actual.keys() if expected.get(key) != actual.get(key)}
