"""The tallies kept from the appointments: the coverage matrix's appointees (`AppointeeTally`, per lot), the
approved lists' appointments (`AppointmentTally`, per lot) and the suppliers each framework shares with
partners (`SharedSupplierTally`, per framework, for the partner's home page). Recounted inside the
transaction of every service that changes an appointment (appointing, suspending, reinstating or removing,
correcting it in the admin, importing an approved list): the lots touched, and the frameworks they belong
to, all of whose lots are locked first so that two changes on one framework recount one after the other.
`manage.py rebuild_coverage_tallies` recounts them all, with the live contract tallies, after rows were
written behind the services; `--check` compares them with a full recount.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Count

from .lot_tallies import Key, LotTallies
from .models import AppointeeTally, Appointment, AppointmentTally, Framework, Lot, SharedSupplierTally


def _counted(lot_ids: list[int] | None) -> dict[Key, int]:
    """{(lot, area, shared, ends_on): appointees} recounted from the active appointments of these lots."""
    appointments = Appointment.objects.active()
    if lot_ids is not None:
        appointments = appointments.filter(lot_id__in=lot_ids)
    rows = (
        Appointment.areas.through.objects.filter(appointment__in=appointments.values("pk"))
        .values_list(
            "appointment__lot_id", "area_id", "appointment__consent_share_with_partners", "appointment__ends_on"
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(lot, area, bool(shared), ends_on): n for lot, area, shared, ends_on, n in rows}


def _appointments_counted(lot_ids: list[int] | None) -> dict[Key, int]:
    """{(lot, status, shared, ends_on): appointments} recounted from every appointment of these lots."""
    appointments = Appointment.objects.all()
    if lot_ids is not None:
        appointments = appointments.filter(lot_id__in=lot_ids)
    rows = (
        appointments.values_list("lot_id", "status", "consent_share_with_partners", "ends_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(lot, status, bool(shared), ends_on): n for lot, status, shared, ends_on, n in rows}


def _latest(first: date | None, second: date | None) -> date | None:
    """The later of two ends, an open end (None) being the latest."""
    return None if first is None or second is None else max(first, second)


def _shared_counted(framework_ids: list[int] | None) -> dict[Key, int]:
    """{(framework, ends_on): suppliers}: each supplier once a framework, by the latest end of its active
    appointments there that it agreed to share."""
    appointments = Appointment.objects.active().filter(consent_share_with_partners=True)
    if framework_ids is not None:
        appointments = appointments.filter(lot__framework_id__in=framework_ids)
    latest: dict[tuple[int, int], date | None] = {}
    rows = appointments.order_by().values_list("lot__framework_id", "supplier_id", "ends_on")
    for framework, supplier, ends_on in rows.iterator(chunk_size=5_000):
        key = (framework, supplier)
        latest[key] = _latest(latest[key], ends_on) if key in latest else ends_on
    return dict(Counter((framework, ends_on) for (framework, _), ends_on in latest.items()))


APPOINTEES = LotTallies(AppointeeTally, ("lot_id", "area_id", "shared", "ends_on"), "appointees", _counted)
APPOINTMENTS = LotTallies(
    AppointmentTally, ("lot_id", "status", "shared", "ends_on"), "appointments", _appointments_counted
)
SHARED_SUPPLIERS = LotTallies(
    SharedSupplierTally, ("framework_id", "ends_on"), "suppliers", _shared_counted, owner=Framework
)


def recount(lot_ids: Iterable[int | None]) -> None:
    """Recount the appointees of these lots and the shared suppliers of their frameworks."""
    ids = sorted({pk for pk in lot_ids if pk is not None})
    if not ids:
        return
    framework_ids = sorted(set(Lot.objects.filter(pk__in=ids).values_list("framework_id", flat=True)))
    with transaction.atomic():
        APPOINTEES.recount(
            ids, also_locking=Lot.objects.filter(framework_id__in=framework_ids).values_list("pk", flat=True)
        )
        APPOINTMENTS.replace(ids)
        SHARED_SUPPLIERS.replace(framework_ids)


def rebuild() -> int:
    """Recount every tally kept from the appointments; returns how many tally rows there are now."""
    with transaction.atomic():
        return APPOINTEES.rebuild() + APPOINTMENTS.rebuild() + SHARED_SUPPLIERS.rebuild()


TALLIES = {"appointees": APPOINTEES, "appointments": APPOINTMENTS, "shared suppliers": SHARED_SUPPLIERS}


def differing() -> set[Key]:
    return {(name, *key) for name, tally in TALLIES.items() for key in tally.differing()}


def kept() -> dict[Key, int]:
    return {(name, *key): n for name, tally in TALLIES.items() for key, n in tally.kept().items()}


def counted() -> dict[Key, int]:
    return {(name, *key): n for name, tally in TALLIES.items() for key, n in tally.counted(None).items()}
