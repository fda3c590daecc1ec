"""Services for setting a framework up and keeping its records: the framework itself, its lots, selection
questions and application windows, and corrections to appointments on the approved list. The admin saves
through these, so every change is checked against who runs the framework and leaves an audit event with
each changed field before and after (moving a window's closing time is never silent)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from commissioning.audit import record
from commissioning.changes import save_audited
from commissioning.models import Area, Authority, User
from commissioning.rules import acts_for_running_authority

from . import coverage_tallies
from .models import ApplicationWindow, Appointment, Framework, Lot, SelectionQuestion


def _require_runs(by: User, *frameworks: Framework | None) -> None:
    """`by` must be an officer of the authority that runs each framework: the one stored and, when the
    change moves a record to another framework or authority, the new one too."""
    for framework in frameworks:
        if framework is not None and not acts_for_running_authority(by, framework):
            raise PermissionDenied("Only officers of the authority that runs this framework may change it.")


def _stored(model, pk):
    return model._default_manager.filter(pk=pk).first() if pk else None


@transaction.atomic
def save_framework(
    *, framework: Framework, by: User, partner_authorities: Iterable[Authority] | None = None
) -> Framework:
    """Create or change a framework; officers create frameworks for their own authority only."""
    _require_runs(by, framework, _stored(Framework, framework.pk))
    many = {"partner_authorities": partner_authorities} if partner_authorities is not None else None
    save_audited(framework, by=by, action="frameworks.framework", many=many)
    return framework


def _save_part(part: Lot | SelectionQuestion | ApplicationWindow, *, by: User, action: str) -> None:
    """A lot, question or window: checked against the framework it belongs to (and the one it belonged
    to, if it moved), then saved with its before and after."""
    stored = _stored(type(part), part.pk)
    _require_runs(by, part.framework, stored.framework if stored else None)
    save_audited(part, by=by, action=action, data={"framework": part.framework.reference})


OPEN_WINDOW_MESSAGE = (
    "This framework's application window is open: confirm that you want to add a lot now. It stays "
    "unpublished (hidden from partners, applicants and the public) until you publish it"
)


def window_open_now(framework: Framework) -> bool:
    return framework.windows.open_at(timezone.now()).exists()


@transaction.atomic
def save_lot(*, lot: Lot, by: User, confirmed: bool = False) -> Lot:
    """Create or change a lot. A lot added while an application window is open must be confirmed, and
    is created unpublished: applicants already part-way through would otherwise see the lots change
    under them, and partners and the public would see it before it is announced."""
    if lot.pk is None and lot.framework_id and window_open_now(lot.framework):
        _require_runs(by, lot.framework)
        if not confirmed:
            raise ValidationError({"confirm_open_window": OPEN_WINDOW_MESSAGE})
        lot.is_published = False
    _save_part(lot, by=by, action="frameworks.lot")
    return lot


@transaction.atomic
def publish_lot(*, lot: Lot, by: User) -> Lot:
    """Publish a lot: from now on partners, applicants and the public see it."""
    lot = Lot.objects.select_for_update().select_related("framework").get(pk=lot.pk)
    _require_runs(by, lot.framework)
    if lot.is_published:
        raise ValidationError("This lot is already published.")
    lot.is_published = True
    lot.save(update_fields=["is_published"])
    record("frameworks.lot_published", by=by, obj=lot, data={"framework": lot.framework.reference})
    return lot


@transaction.atomic
def save_question(*, question: SelectionQuestion, by: User) -> SelectionQuestion:
    """A question for every applicant, or for one lot's applicants: a lot's question belongs to that
    lot's framework, whatever was chosen."""
    if question.lot_id is not None:
        question.framework = question.lot.framework
    _save_part(question, by=by, action="frameworks.question")
    return question


@transaction.atomic
def save_window(*, window: ApplicationWindow, by: User) -> ApplicationWindow:
    """Open, move or close an application window. Its opening and closing times are recorded before and
    after, so an applicant's complaint that a deadline moved can be answered from the audit trail."""
    _save_part(window, by=by, action="frameworks.window")
    return window


@transaction.atomic
def save_appointment(*, appointment: Appointment, by: User, areas: Iterable[Area] | None = None) -> Appointment:
    """Correct an appointment on the approved list (its dates, areas and the supplier's consent to share and
    publish). Its status changes only on the staff page, where a reason is recorded."""
    stored = _stored(Appointment, appointment.pk)
    _require_runs(by, appointment.lot.framework, stored.lot.framework if stored else None)
    if stored is not None and stored.status != appointment.status:
        raise PermissionDenied("An appointment's status changes on its staff page, with a reason.")
    save_audited(
        appointment,
        by=by,
        action="frameworks.appointment",
        many={"areas": areas} if areas is not None else None,
        data={"framework": appointment.lot.framework.reference, "supplier": appointment.supplier.legal_name},
    )
    coverage_tallies.recount([appointment.lot_id, stored.lot_id if stored else None])
    return appointment
