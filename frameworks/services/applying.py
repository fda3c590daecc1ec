"""Providers prepare and submit applications: lots, consortium, consent, answers, submission."""

from __future__ import annotations

from datetime import date, datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from commissioning import events
from commissioning.audit import record
from commissioning.errors import RuleError
from commissioning.models import Area, User
from commissioning.text import CANNOT_BE_SAVED, holds_nul_character
from commissioning.uploads import sha256_of, validate_upload

from .. import selectors
from ..events import APPLICATION_SUBMITTED
from ..lifecycle import APPLICATION
from ..models import (
    Answer,
    Application,
    ApplicationLot,
    ApplicationWindow,
    ConsortiumMember,
    Lot,
    SelectionQuestion,
)
from .common import SelectionRuleError, _email_applicant, _lock, _require_editable, _require_provider_of

Status = Application.Status


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
    _email_applicant(
        application,
        subject="Application received",
        template="application_receipt",
        url=reverse("frameworks:application_receipt", args=[application.pk]),
        receipt=application.receipt,
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
