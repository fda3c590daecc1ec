"""Officers clarify, decide each lot and appoint; appointments change status."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commissioning import events
from commissioning.audit import record
from commissioning.documents import request_document
from commissioning.models import User
from commissioning.rules import acts_for_running_authority

from .. import coverage_tallies, selectors
from ..events import APPLICATION_DECIDED, APPOINTMENT_CHANGED
from ..lifecycle import APPLICATION
from ..models import (
    Application,
    ApplicationLot,
    Appointment,
    Clarification,
)
from ..reports import OUTCOME_LETTER
from .common import SelectionRuleError, _email_applicant, _lock, _require_officer_of, _require_provider_of


@transaction.atomic
def request_clarification(*, application: Application, question: str, by: User) -> Clarification:
    application = _lock(application)
    _require_officer_of(application, by)
    after = APPLICATION.next_status("request_clarification", application.status)
    clarification = Clarification.objects.create(application=application, question=question, asked_by=by)
    application.status = after
    application.save(update_fields=["status", "updated_at"])
    record("application.clarification_requested", by=by, obj=application, data={"question": question})
    _email_applicant(
        application,
        subject="Clarification requested",
        template="clarification_requested",
        url=reverse("frameworks:clarification_respond", args=[application.pk, clarification.pk]),
        question=question,
    )
    return clarification


@transaction.atomic
def respond_to_clarification(*, clarification: Clarification, response: str, by: User) -> Clarification:
    application = _lock(clarification.application)
    _require_provider_of(application, by)
    if clarification.responded_at is not None:
        raise SelectionRuleError("This clarification has already been answered.")
    after = APPLICATION.next_status("answer_clarification", application.status)
    if not response.strip():
        raise SelectionRuleError("Enter your response")
    clarification.response = response
    clarification.responded_by = by
    clarification.responded_at = timezone.now()
    clarification.save(update_fields=["response", "responded_by", "responded_at"])
    if after != application.status and not application.clarifications.filter(responded_at__isnull=True).exists():
        application.status = after
        application.save(update_fields=["status", "updated_at"])
    record("application.clarification_answered", by=by, obj=application, data={"clarification": clarification.pk})
    return clarification


@transaction.atomic
def decide_lot(
    *, choice: ApplicationLot, outcome: str, reason: str, by: User, starts_on: date | None = None
) -> ApplicationLot:
    application = _lock(choice.application)
    _require_officer_of(application, by)
    choice = ApplicationLot.objects.select_for_update().get(pk=choice.pk)
    APPLICATION.next_status("decide_lot", application.status)
    if choice.outcome != ApplicationLot.Outcome.PENDING:
        raise SelectionRuleError("This lot has already been decided.")
    if outcome not in {ApplicationLot.Outcome.APPOINTED, ApplicationLot.Outcome.UNSUCCESSFUL}:
        raise SelectionRuleError("Choose appoint or unsuccessful")
    if not reason.strip():
        raise SelectionRuleError("Give the reason for the decision")
    result = next(r for r in selectors.lot_results(application) if r.lot.pk == choice.lot_id)
    if outcome == ApplicationLot.Outcome.APPOINTED and result.failed_pass_fail:
        raise SelectionRuleError("A failed pass/fail question makes this lot unsuccessful, whatever the scores.")
    framework = application.window.framework
    if outcome == ApplicationLot.Outcome.APPOINTED and (starts_on or timezone.localdate()) > framework.term_end:
        raise SelectionRuleError(
            f"The framework ended on {framework.term_end:%d %B %Y}: no supplier can be appointed after its end."
        )
    choice.outcome = outcome
    choice.decision_reason = reason
    choice.decided_by = by
    choice.decided_at = timezone.now()
    choice.save(update_fields=["outcome", "decision_reason", "decided_by", "decided_at"])
    record(
        "application.lot_decided",
        by=by,
        obj=application,
        data={
            "lot": choice.lot.number,
            "outcome": outcome,
            "reason": reason,
            "score": result.percentage,
            "minimum": choice.lot.minimum_score,
        },
    )
    if outcome == ApplicationLot.Outcome.APPOINTED:
        appoint(choice=choice, by=by, starts_on=starts_on or timezone.localdate())
    if not application.lot_choices.filter(outcome=ApplicationLot.Outcome.PENDING).exists():
        application.status = APPLICATION.next_status("decide", application.status)
        application.save(update_fields=["status", "updated_at"])
        record("application.decided", by=by, obj=application)
        outcomes = dict(application.lot_choices.values_list("lot_id", "outcome"))
        events.send(
            APPLICATION_DECIDED,
            application_id=application.pk,
            supplier_id=application.supplier_id,
            by_id=by.pk,
            appointed_lot_ids=sorted(lot for lot, won in outcomes.items() if won == ApplicationLot.Outcome.APPOINTED),
            unsuccessful_lot_ids=sorted(
                lot for lot, won in outcomes.items() if won != ApplicationLot.Outcome.APPOINTED
            ),
        )
        letter = request_document(kind=OUTCOME_LETTER, target=application, by=by)
        _email_applicant(
            application,
            subject="Outcome of your application",
            template="application_outcome",
            url=reverse("frameworks:provider_application", args=[application.pk]),
            choices=list(application.lot_choices.select_related("lot")),
            letter=letter,
        )
    return choice


def appoint(*, choice: ApplicationLot, by: User, starts_on: date) -> Appointment:
    """Put the supplier on the approved list for the lot; an earlier appointee keeps its record and history."""
    application = choice.application
    appointment = Appointment.objects.filter(supplier=application.supplier_id, lot=choice.lot_id).first()
    previous = appointment.status if appointment is not None else None
    if appointment is None:
        appointment = Appointment(supplier_id=application.supplier_id, lot_id=choice.lot_id, starts_on=starts_on)
    appointment.application = application
    appointment.status = Appointment.Status.ACTIVE
    appointment.status_reason = choice.decision_reason
    appointment.consent_share_with_partners = bool(application.consent_share_with_partners)
    appointment.consent_publish = bool(application.consent_publish)
    appointment._change_reason = f"Appointed: {choice.decision_reason}"[:100]
    appointment._history_user = by
    appointment.save()
    appointment.areas.set(choice.areas.all())
    coverage_tallies.recount([appointment.lot_id])
    record(
        "appointment.appointed",
        by=by,
        obj=appointment,
        data={"lot": choice.lot.number, "areas": sorted(choice.areas.values_list("name", flat=True))},
    )
    _appointment_changed(appointment, previous, by=by)
    return appointment


def _appointment_changed(appointment: Appointment, previous: str | None, *, by: User | None) -> None:
    events.send(
        APPOINTMENT_CHANGED,
        appointment_id=appointment.pk,
        supplier_id=appointment.supplier_id,
        lot_id=appointment.lot_id,
        status=appointment.status,
        previous_status=previous,
        by_id=by.pk if by is not None else None,
    )


@transaction.atomic
def change_appointment_status(*, appointment: Appointment, status: str, reason: str, by: User) -> Appointment:
    appointment = Appointment.objects.select_for_update().select_related("lot__framework").get(pk=appointment.pk)
    if not acts_for_running_authority(by, appointment.lot.framework):
        raise PermissionDenied("Only officers of the lead authority may do this.")
    allowed = {
        Appointment.Status.ACTIVE: {Appointment.Status.SUSPENDED, Appointment.Status.REMOVED},
        Appointment.Status.SUSPENDED: {Appointment.Status.ACTIVE, Appointment.Status.REMOVED},
        Appointment.Status.REMOVED: set(),
    }
    if status not in allowed[appointment.status]:
        raise SelectionRuleError(
            f"An appointment that is {appointment.get_status_display().lower()} cannot become {status}."
        )
    if not reason.strip():
        raise SelectionRuleError("Give the reason")
    previous = appointment.status
    appointment.status = status
    appointment.status_reason = reason
    if status == Appointment.Status.REMOVED:
        appointment.ends_on = timezone.localdate()
    appointment._change_reason = reason[:100]
    appointment._history_user = by
    appointment.save()
    coverage_tallies.recount([appointment.lot_id])
    record(f"appointment.{status}", by=by, obj=appointment, data={"from": previous, "reason": reason})
    _appointment_changed(appointment, previous, by=by)
    return appointment
