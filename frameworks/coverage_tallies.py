"""The coverage matrix's appointee tallies (`AppointeeTally`): recounted lot by lot, inside the transaction of
every service that changes an appointment (appointing, suspending, reinstating or removing, correcting it in
the admin, importing an approved list), so the matrix reads a few rows a lot however many suppliers there
are. `manage.py rebuild_coverage_tallies` recounts every lot, with the live contract tallies, after rows
were written behind the services; `--check` compares the tallies with a full recount.
"""

from __future__ import annotations

from django.db.models import Count

from .lot_tallies import Key, LotTallies
from .models import AppointeeTally, Appointment


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


APPOINTEES = LotTallies(AppointeeTally, ("lot_id", "area_id", "shared", "ends_on"), "appointees", _counted)
recount, rebuild, differing, kept = APPOINTEES.recount, APPOINTEES.rebuild, APPOINTEES.differing, APPOINTEES.kept


def counted() -> dict[Key, int]:
    return _counted(None)
