"""Factories for frameworks, lots, windows, questions, applications and appointments."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from django.utils import timezone

from commissioning.models import Area, Authority
from frameworks import coverage_tallies
from frameworks.models import (
    Application,
    ApplicationLot,
    ApplicationWindow,
    Appointment,
    Framework,
    Lot,
    SelectionQuestion,
)
from suppliers.models import Supplier
from tests.factories import make_authority, make_supplier

_seq = count(1)


def make_framework(*, partners: list[Authority] | None = None, **overrides) -> Framework:
    n = next(_seq)
    values = {
        "title": f"Victim Services Framework {n}",
        "reference": f"FW-{n:04d}",
        "term_start": date(2025, 4, 1),
        "term_end": date(2029, 3, 31),
    }
    values.update(overrides)
    if "lead_authority" not in values:
        values["lead_authority"] = make_authority(kind=Authority.Kind.OPCC, is_lead_commissioner=True)
    framework = Framework.objects.create(**values)
    if partners:
        framework.partner_authorities.set(partners)
    return framework


def make_lot(framework: Framework | None = None, **overrides) -> Lot:
    framework = framework or make_framework()
    number = overrides.pop("number", framework.lots.count() + 1)
    values = {"title": f"Lot {number} services", "description": "Support services."}
    values.update(overrides)
    return Lot.objects.create(framework=framework, number=number, **values)


def make_window(framework: Framework | None = None, *, open_now: bool = True, **overrides) -> ApplicationWindow:
    framework = framework or make_framework()
    now = timezone.now()
    if open_now:
        values = {"opens_at": now - timedelta(days=7), "closes_at": now + timedelta(days=21)}
    else:
        values = {"opens_at": now - timedelta(days=60), "closes_at": now - timedelta(days=30)}
    values["title"] = f"Window {next(_seq)}"
    values.update(overrides)
    return ApplicationWindow.objects.create(framework=framework, **values)


def make_question(framework: Framework, *, lot: Lot | None = None, **overrides) -> SelectionQuestion:
    n = next(_seq)
    values = {
        "section": "Service delivery",
        "order": n,
        "text": f"Describe how you will deliver the service ({n}).",
        "kind": SelectionQuestion.Kind.SCORED,
        "weight": 10,
        "max_score": 4,
    }
    values.update(overrides)
    return SelectionQuestion.objects.create(framework=framework, lot=lot, **values)


def make_application(
    window: ApplicationWindow,
    supplier: Supplier | None = None,
    *,
    lots: list[Lot] | None = None,
    areas: list[Area] | None = None,
    created_by=None,
    **overrides,
) -> Application:
    supplier = supplier or make_supplier()
    if created_by is None:
        from tests.factories import make_user

        created_by = make_user("provider", supplier=supplier)
    values = {"consent_share_with_partners": True, "consent_publish": True, "is_consortium": False}
    values.update(overrides)
    application = Application.objects.create(supplier=supplier, window=window, created_by=created_by, **values)
    for lot in lots or []:
        choice = ApplicationLot.objects.create(application=application, lot=lot)
        choice.areas.set(areas or [])
    return application


def make_appointment(
    lot: Lot, supplier: Supplier | None = None, *, areas: list[Area] | None = None, **overrides
) -> Appointment:
    values = {
        "starts_on": date(2025, 7, 1),
        "consent_share_with_partners": True,
        "consent_publish": True,
        "status": Appointment.Status.ACTIVE,
    }
    values.update(overrides)
    appointment = Appointment.objects.create(supplier=supplier or make_supplier(), lot=lot, **values)
    appointment.areas.set(areas or [])
    coverage_tallies.recount([lot.pk])  # as the services that appoint do
    return appointment
