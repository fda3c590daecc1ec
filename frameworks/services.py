"""Every write and state change in selection: applications, clarifications, decisions and appointments
(evaluation and moderation are the one mechanism of `frameworks.evaluation`). Each function takes the
acting user, checks the rule and the application's lifecycle (`lifecycle.APPLICATION`), runs in a
transaction and writes the audit trail."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from commissioning import events
from commissioning.audit import record
from commissioning.documents import request_document
from commissioning.email import send_after_commit
from commissioning.errors import RuleError
from commissioning.models import Area, User
from commissioning.rules import acts_for_running_authority
from commissioning.templatetags.portal import deadline
from commissioning.text import CANNOT_BE_SAVED, holds_nul_character
from commissioning.uploads import sha256_of, validate_upload
from suppliers.models import Supplier

from . import selectors
from .evaluation import EvaluationRuleError
from .events import APPLICATION_DECIDED, APPLICATION_SUBMITTED, APPOINTMENT_CHANGED
from .lifecycle import APPLICATION
from .models import (
    Answer,
    Application,
    ApplicationLot,
    ApplicationWindow,
    Appointment,
    Clarification,
    ConsortiumMember,
    Lot,
    SelectionQuestion,
)
from .reports import OUTCOME_LETTER

Status = Application.Status


# A move the selection or evaluation rules do not allow; the message is shown to the user as it is. An
# illegal move of the application's lifecycle (`lifecycle.APPLICATION`) raises its subclass IllegalMove.
SelectionRuleError = EvaluationRuleError


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update().select_related("window__framework", "supplier").get(pk=application.pk)
    )


def _require_provider_of(application: Application, user: User) -> None:
    membership = getattr(user, "supplier_membership", None)
    if membership is None or membership.supplier_id != application.supplier_id:
        raise PermissionDenied("You do not act for this applicant.")


def _require_officer_of(application: Application, user: User) -> None:
    if not acts_for_running_authority(user, application.window.framework):
        raise PermissionDenied("Only officers of the lead authority may do this.")


def _closing_text(window: ApplicationWindow) -> str:
    return deadline(window.closes_at)


def _require_editable(application: Application, now: datetime, move: str = "edit") -> None:
    APPLICATION.next_status(move, application.status)
    if not application.window.is_open(now):
        raise SelectionRuleError(
            f"The application window closed at {_closing_text(application.window)}. "
            "Your saved answers are kept but can no longer be changed."
        )


def _applicant_emails(application: Application) -> list[str]:
    return list(application.supplier.memberships.values_list("user__email", flat=True))


# --- Provider: preparing and submitting an application ---------------------------------------


@transaction.atomic
def start_application(*, window: ApplicationWindow, by: User, now: datetime | None = None) -> Application:
    """One application per supplier per window; starting twice returns the existing draft."""
    now = now or timezone.now()
    supplier = by.supplier_membership.supplier
    existing = Application.objects.filter(supplier=supplier, window=window).first()
    if existing is not None:
        return existing
    if not window.is_open(now):
        raise SelectionRuleError("This application window is not open.")
    try:
        with transaction.atomic():
            application = Application.objects.create(supplier=supplier, window=window, created_by=by)
    except IntegrityError:
        return Application.objects.get(supplier=supplier, window=window)
    record("application.started", by=by, obj=application, data={"window": window.pk})
    return application


@transaction.atomic
def save_lots(
    *, application: Application, choices: dict[Lot, list[Area]], by: User, now: datetime | None = None
) -> None:
    application = _lock(application)
    _require_provider_of(application, by)
    _require_editable(application, now or timezone.now())
    if not choices:
        raise SelectionRuleError("Select at least one lot")
    for lot, areas in choices.items():
        if lot.framework_id != application.window.framework_id:
            raise SelectionRuleError("That lot is not part of this framework.")
        if not areas:
            raise SelectionRuleError(f"Select at least one area for {lot}")
    application.lot_choices.exclude(lot__in=list(choices)).delete()
    for lot, areas in choices.items():
        choice, _ = ApplicationLot.objects.get_or_create(application=application, lot=lot)
        choice.areas.set(areas)
    application.save(update_fields=["updated_at"])
    record(
        "application.lots_saved",
        by=by,
        obj=application,
        data={"lots": {lot.number: sorted(area.name for area in areas) for lot, areas in choices.items()}},
    )


@transaction.atomic
def save_consortium(
    *,
    application: Application,
    is_consortium: bool,
    members: list[dict],
    by: User,
    now: datetime | None = None,
) -> None:
    application = _lock(application)
    _require_provider_of(application, by)
    _require_editable(application, now or timezone.now())
    if is_consortium and not members:
        raise SelectionRuleError("Name at least one member of the consortium")
    application.is_consortium = is_consortium
    application.save(update_fields=["is_consortium", "updated_at"])
    application.consortium_members.all().delete()
    if is_consortium:
        ConsortiumMember.objects.bulk_create(ConsortiumMember(application=application, **m) for m in members)
    record(
        "application.consortium_saved",
        by=by,
        obj=application,
        data={"is_consortium": is_consortium, "members": [m["name"] for m in members]},
    )


@transaction.atomic
def save_consent(
    *,
    application: Application,
    share_with_partners: bool,
    publish: bool,
    by: User,
    now: datetime | None = None,
) -> None:
    """Seed 000: "by applying you are also agreeing to have your details shared" with the partner
    authorities. Agreeing is part of applying, not a choice: it is recorded with the time and the words
    agreed to, naming the partners as they stand; publication on the public list stays a choice."""
    now = now or timezone.now()
    application = _lock(application)
    _require_provider_of(application, by)
    _require_editable(application, now)
    if share_with_partners is not True:
        raise RuleError(CONSENT_REQUIRED, field="share_with_partners")
    wording = consent_wording(application.window.framework)
    application.consent_share_with_partners = True
    application.consent_shared_at = now
    application.consent_wording = wording
    application.consent_publish = publish
    application.save(
        update_fields=[
            "consent_share_with_partners",
            "consent_shared_at",
            "consent_wording",
            "consent_publish",
            "updated_at",
        ]
    )
    record(
        "application.consent_saved",
        by=by,
        obj=application,
        data={"share_with_partners": True, "wording": wording, "publish": publish},
    )


CONSENT_REQUIRED = "Agree to share your organisation's details with the partner authorities to apply"


def consent_wording(framework) -> str:
    """The words an applicant agrees to, naming the framework's partner authorities."""
    partners = [a.name for a in framework.partner_authorities.order_by("name")]
    named = (", ".join(partners[:-1]) + " and " + partners[-1]) if len(partners) > 1 else "".join(partners)
    return (
        f"By applying to {framework.title} ({framework.reference}), my organisation agrees to have its details "
        f"shared with the partner authorities named on the framework"
        + (f": {named}." if named else ".")
        + " They may see it on the approved list and invite it to call-offs."
    )


@transaction.atomic
def save_answers(
    *,
    application: Application,
    texts: dict[int, str],
    uploads: dict[int, UploadedFile] | None = None,
    by: User,
    now: datetime | None = None,
    autosave: bool = False,
) -> list[Answer]:
    """Drafts are kept on the server; an autosave writes text only and is not audited row by row."""
    application = _lock(application)
    _require_provider_of(application, by)
    _require_editable(application, now or timezone.now())
    if holds_nul_character(*texts.values()):
        raise SelectionRuleError(CANNOT_BE_SAVED)
    allowed = {q.pk: q for q in selectors.questions_for(application)}
    saved = []
    for question_id, text in texts.items():
        if question_id not in allowed:
            raise SelectionRuleError("That question is not part of this application.")
        answer, _ = Answer.objects.get_or_create(application=application, question_id=question_id)
        answer.text = text
        upload = (uploads or {}).get(question_id)
        if upload is not None:
            validate_upload(upload)
            answer.upload_sha256 = sha256_of(upload)
            answer.upload_name = upload.name
            answer.upload = upload
        answer.save()
        saved.append(answer)
    application.save(update_fields=["updated_at"])
    if not autosave:
        record("application.answers_saved", by=by, obj=application, data={"questions": sorted(texts)})
    return saved


def accreditation_gaps(application: Application, on: date) -> list[SelectionQuestion]:
    """Questions whose required accreditation the supplier does not hold, current, on that day."""
    return selectors.accreditation_gaps(application, on)


def submission_problems(application: Application, on: date) -> list[str]:
    problems = []
    statuses = selectors.setup_statuses(application)
    names = {"lots": "Lots and areas", "consortium": "Consortium", "sharing": "Sharing your details"}
    for key, status in statuses.items():
        if status != "completed":
            problems.append(f"Complete the section ‘{names[key]}’")
    for section in selectors.question_sections(application):
        if section.status != "completed":
            problems.append(f"Complete the section ‘{section.title}’")
    for question in accreditation_gaps(application, on):
        scheme = question.get_required_accreditation_display()
        problems.append(f"Add a current {scheme} accreditation (or an equivalent) to your organisation")
    return problems


@transaction.atomic
def submit_application(*, application: Application, by: User, now: datetime | None = None) -> Application:
    """Refused at or after the closing time; the row lock makes a double submission impossible."""
    now = now or timezone.now()
    application = _lock(application)
    _require_provider_of(application, by)
    if application.status == Status.SUBMITTED:
        return application  # a repeated click: already done, nothing more to do
    _require_editable(application, now, "submit")
    problems = submission_problems(application, timezone.localdate(now))
    if problems:
        raise SelectionRuleError(problems)
    files = [
        {"question": a.question_id, "name": a.upload_name, "sha256": a.upload_sha256}
        for a in application.answers.exclude(upload="").order_by("question_id")
    ]
    application.status = APPLICATION.next_status("submit", application.status)
    application.submitted_at = now
    application.submitted_by = by
    application.receipt = {
        "reference": f"APP-{application.pk:06d}",
        "submitted_at": now.isoformat(),
        "submitted_by": by.email,
        "files": files,
    }
    application.save(update_fields=["status", "submitted_at", "submitted_by", "receipt", "updated_at"])
    record("application.submitted", by=by, obj=application, data=application.receipt)
    events.send(APPLICATION_SUBMITTED, application_id=application.pk, supplier_id=application.supplier_id, by_id=by.pk)
    send_after_commit(
        to=_applicant_emails(application),
        subject=f"Application received: {application.window.framework.title}",
        template="application_receipt",
        context={
            "application": application,
            "receipt": application.receipt,
            "url": reverse("frameworks:application_receipt", args=[application.pk]),
        },
    )
    return application


@transaction.atomic
def withdraw_application(*, application: Application, by: User, reason: str = "") -> Application:
    application = _lock(application)
    _require_provider_of(application, by)
    application.status = APPLICATION.next_status("withdraw", application.status)
    application.withdrawn_at = timezone.now()
    application.save(update_fields=["status", "withdrawn_at", "updated_at"])
    record("application.withdrawn", by=by, obj=application, data={"reason": reason})
    return application


# --- Officer: clarification, evaluators, moderation, decisions --------------------------------


@transaction.atomic
def request_clarification(*, application: Application, question: str, by: User) -> Clarification:
    application = _lock(application)
    _require_officer_of(application, by)
    after = APPLICATION.next_status("request_clarification", application.status)
    clarification = Clarification.objects.create(application=application, question=question, asked_by=by)
    application.status = after
    application.save(update_fields=["status", "updated_at"])
    record("application.clarification_requested", by=by, obj=application, data={"question": question})
    send_after_commit(
        to=_applicant_emails(application),
        subject=f"Clarification requested: {application.window.framework.title}",
        template="clarification_requested",
        context={
            "application": application,
            "question": question,
            "url": reverse("frameworks:clarification_respond", args=[application.pk, clarification.pk]),
        },
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
        send_after_commit(
            to=_applicant_emails(application),
            subject=f"Outcome of your application: {application.window.framework.title}",
            template="application_outcome",
            context={
                "application": application,
                "choices": list(application.lot_choices.select_related("lot")),
                "letter": letter,
                "url": reverse("frameworks:provider_application", args=[application.pk]),
            },
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
    record(f"appointment.{status}", by=by, obj=appointment, data={"from": previous, "reason": reason})
    _appointment_changed(appointment, previous, by=by)
    return appointment


def portal_url(path: str) -> str:
    return settings.PORTAL_BASE_URL + path


# Importing an existing approved list --------------------------------------------------------------

IMPORT_CHANGE_REASON = "Imported from an existing approved list"
IMPORT_BATCH = 1000  # rows per INSERT/UPDATE (Django lowers it further where the database needs)
LOOKUP_CHUNK = 500  # values per `IN (...)` lookup, well inside every database's parameter limit


def chunked(values: Iterable, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    """`values` in lists of at most `size`, for `__in` lookups that must stay under a parameter limit."""
    batch: list = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def bulk_history(
    model: type[models.Model], objs: Sequence[models.Model], *, by: User | None, reason: str, update: bool = False
) -> None:
    """Write the django-simple-history record that `save()` would have written for each saved object,
    including the many-to-many rows of the fields the history tracks.

    Why: a bulk insert or update sends no signals, so it writes no history; simple_history's own
    `bulk_history_create` writes the records but not their many-to-many rows, which the approved
    list's history page reads (the areas covered at each point).
    """
    if not objs:
        return
    manager = getattr(model, model._meta.simple_history_manager_attribute)
    records = manager.bulk_history_create(
        objs, batch_size=IMPORT_BATCH, update=update, default_user=by, default_change_reason=reason
    )
    if not records:  # history is switched off (SIMPLE_HISTORY_ENABLED = False)
        return
    history_model = manager.model
    pk_name = model._meta.pk.attname  # the history keeps the object's primary key under the same name
    record_of = {getattr(record, pk_name): record for record in records}
    for m2m_field in history_model._history_m2m_fields:
        m2m_history = getattr(history_model, m2m_field.name).model
        through = m2m_field.remote_field.through
        own = m2m_field.m2m_field_name()
        own_attname = through._meta.get_field(own).attname
        copied = [f.attname for f in through._meta.concrete_fields]
        rows = []
        for batch in chunked(record_of):
            for link in through.objects.filter(**{f"{own}__in": batch}).order_by("pk").values(*copied):
                rows.append(m2m_history(history=record_of[link[own_attname]], **link))
        m2m_history.objects.bulk_create(rows, batch_size=IMPORT_BATCH)


@dataclass(frozen=True)
class ImportedAppointment:
    """One row of an existing approved list, already read from the spreadsheet (see `resources.py`)."""

    number: int  # the row's number in the file, to put an error against it
    lot: Lot
    supplier_name: str
    areas: tuple[Area, ...]
    starts_on: date
    consent_share_with_partners: bool = False
    consent_publish: bool = False

    @property
    def key(self) -> tuple[int, str]:
        """A supplier is on a lot once: the lot and the supplier's name, compared case-insensitively."""
        return self.lot.pk, supplier_name_key(self.supplier_name)


@dataclass
class ApprovedListImport:
    """What `import_appointments` saved: the appointment of each row (by row number), and the suppliers
    it had to register."""

    appointments: dict[int, Appointment] = dataclasses.field(default_factory=dict)
    created: list[Appointment] = dataclasses.field(default_factory=list)
    updated: list[Appointment] = dataclasses.field(default_factory=list)
    new_suppliers: list[Supplier] = dataclasses.field(default_factory=list)


class ImportRowsError(ValidationError):
    """Rows of an import that break a rule, by row number. Nothing of the import is saved."""

    def __init__(self, row_errors: Mapping[int, ValidationError]):
        self.row_errors = dict(sorted(row_errors.items()))
        super().__init__([f"Row {number}: {' '.join(error.messages)}" for number, error in self.row_errors.items()])


def supplier_name_key(name: str) -> str:
    """Names are matched as `legal_name__iexact` matched them: trimmed, ignoring case."""
    return name.strip().lower()


def suppliers_by_name() -> dict[str, Supplier]:
    """Every supplier by `supplier_name_key` of its legal name, read in one query; where two names differ
    only in case, the first in name order (what `.filter(legal_name__iexact=...).first()` returned)."""
    found: dict[str, Supplier] = {}
    for supplier in Supplier.objects.order_by("legal_name"):
        found.setdefault(supplier_name_key(supplier.legal_name), supplier)
    return found


def check_imported_appointment(row: ImportedAppointment, *, earlier: Mapping[tuple[int, str], int]) -> None:
    """The rules for one row of an imported approved list, checked in memory (no query) so a preview
    can put each error against its row. `earlier` maps `row.key` of the rows before it to their number.
    Raises a `ValidationError` keyed by the spreadsheet column."""
    name = row.supplier_name.strip()
    if not name:
        raise ValidationError({NON_FIELD_ERRORS: ["Each row needs framework_reference, lot_number and supplier"]})
    if len(name) > Supplier._meta.get_field("legal_name").max_length:
        raise ValidationError({"supplier": [f"“{name[:40]}…” is too long for a supplier's legal name"]})
    if not row.areas:
        raise ValidationError({"areas": ["Give at least one area, separated by semicolons"]})
    if row.key in earlier:
        raise ValidationError(
            {
                "supplier": [
                    f"Row {earlier[row.key]} already puts {name} on lot {row.lot.number}: "
                    "give each supplier once per lot, with all its areas"
                ]
            }
        )


@transaction.atomic
def import_appointments(*, by: User | None, rows: Sequence[ImportedAppointment]) -> ApprovedListImport:
    """Put the suppliers of an existing approved list on their lots: all rows or none.

    A supplier not yet registered is registered (kind "other"); a supplier already on the lot has its
    start date, consents and areas replaced by the row's, keeping its status. Each appointment gets
    one history record (with its areas), and the import one audit event.

    Why a bulk service: saving row by row cost about ten queries, two history records and a savepoint
    per row, so a 10,000-row list took minutes. Here the rules are checked in memory
    (`check_imported_appointment`) and the rows are written with a handful of bulk statements.
    """
    errors: dict[int, ValidationError] = {}
    earlier: dict[tuple[int, str], int] = {}
    for row in rows:
        try:
            check_imported_appointment(row, earlier=earlier)
        except ValidationError as exc:
            errors[row.number] = exc
        earlier.setdefault(row.key, row.number)
    if errors:
        raise ImportRowsError(errors)

    outcome = ApprovedListImport()
    suppliers = suppliers_by_name()
    for row in rows:
        key = supplier_name_key(row.supplier_name)
        if key not in suppliers:
            suppliers[key] = Supplier(legal_name=row.supplier_name.strip(), kind=Supplier.Kind.OTHER)
            outcome.new_suppliers.append(suppliers[key])
    Supplier.objects.bulk_create(outcome.new_suppliers, batch_size=IMPORT_BATCH)

    lots = {row.lot.pk for row in rows}
    existing = {
        (a.lot_id, a.supplier_id): a
        for batch in chunked(lots)
        for a in Appointment.objects.select_for_update().filter(lot__in=batch)
    }
    for row in rows:
        supplier = suppliers[supplier_name_key(row.supplier_name)]
        appointment = existing.get((row.lot.pk, supplier.pk))
        if appointment is None:
            appointment = Appointment(lot=row.lot, supplier=supplier)
            outcome.created.append(appointment)
        else:
            appointment.supplier = supplier  # the record already read, not a query each
            outcome.updated.append(appointment)
        appointment.starts_on = row.starts_on
        appointment.consent_share_with_partners = row.consent_share_with_partners
        appointment.consent_publish = row.consent_publish
        outcome.appointments[row.number] = appointment
    Appointment.objects.bulk_create(outcome.created, batch_size=IMPORT_BATCH)
    Appointment.objects.bulk_update(
        outcome.updated, ["starts_on", "consent_share_with_partners", "consent_publish"], batch_size=IMPORT_BATCH
    )

    # Areas: what `appointment.areas.set(...)` does, for every appointment at once.
    through = Appointment.areas.through
    wanted = {outcome.appointments[row.number].pk: {area.pk for area in row.areas} for row in rows}
    stale: list[int] = []
    for batch in chunked(a.pk for a in outcome.updated):
        for link_pk, appointment_id, area_id in through.objects.filter(appointment_id__in=batch).values_list(
            "pk", "appointment_id", "area_id"
        ):
            if area_id in wanted[appointment_id]:
                wanted[appointment_id].discard(area_id)
            else:
                stale.append(link_pk)
    for batch in chunked(stale):
        through.objects.filter(pk__in=batch).delete()
    through.objects.bulk_create(
        (
            through(appointment_id=appointment_id, area_id=area_id)
            for appointment_id, area_ids in wanted.items()
            for area_id in sorted(area_ids)
        ),
        batch_size=IMPORT_BATCH,
    )

    bulk_history(Appointment, outcome.created, by=by, reason=IMPORT_CHANGE_REASON)
    bulk_history(Appointment, outcome.updated, by=by, reason=IMPORT_CHANGE_REASON, update=True)
    record(
        "appointments.imported",
        by=by,
        data={
            "rows": len(rows),
            "new": len(outcome.created),
            "updated": len(outcome.updated),
            "lots": sorted({f"{row.lot.framework.reference} lot {row.lot.number}" for row in rows}),
            "suppliers_registered": [supplier.legal_name for supplier in outcome.new_suppliers],
        },
    )
    previous = {a.pk: a.status for a in outcome.updated}
    for appointment in [*outcome.created, *outcome.updated]:
        _appointment_changed(appointment, previous.get(appointment.pk), by=by)
    return outcome
