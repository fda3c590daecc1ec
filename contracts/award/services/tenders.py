"""Bidders' responses: started, saved and submitted while the competition is open (checked against each
lot's own bounds; a combined limit across lots bounds what the authority awards, see
`selectors.combined_award_checks`), withdrawn and resubmitted until the closing time. Nothing a bidder
wrote goes into the audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from commissioning.models import User
from commissioning.templatetags.portal import deadline, money
from commissioning.text import CANNOT_BE_SAVED, holds_nul_character
from commissioning.uploads import sha256_of, validate_upload
from commissioning.wording import when
from contracts.award import selectors
from contracts.award.lifecycles import TENDER
from contracts.award.models import (
    Competition,
    CompetitionLot,
    Tender,
    TenderAnswer,
    TenderCommitment,
    TenderConsortiumMember,
    TenderDocument,
    TenderVersion,
)
from contracts.award.sealing import record_tender_event, seal_file, sealed_for
from suppliers.models import Supplier

from .common import (
    AwardRuleError,
    TenderStatus,
    emails_of_suppliers,
    field_error,
    lock_competition,
    notify,
    now_or,
    read_money,
    require_supplier_of,
    supplier_of,
)

# --- Bidders: responses -------------------------------------------------------------------------------


def _closed_message(competition: Competition) -> str:
    return (
        f"The closing time was {deadline(competition.closes_at)}. Your saved response is kept but can no longer "
        "be changed or submitted."
    )


@transaction.atomic
def start_tender(*, competition: Competition, lot: CompetitionLot, by: User, now: datetime | None = None) -> Tender:
    """One response per supplier per lot; starting twice returns the existing one."""
    now = now_or(now)
    supplier = supplier_of(by)
    if lot.competition_id != competition.pk:
        raise AwardRuleError("That lot is not part of this competition.")
    existing = Tender.objects.filter(lot=lot, supplier=supplier).first()
    if existing is not None:
        return existing
    if not selectors.may_bid(competition, supplier):
        raise PermissionDenied("Your organisation is not invited to this competition.")
    if not competition.is_open(now):
        raise AwardRuleError(
            _closed_message(competition) if competition.has_closed(now) else "This competition is not open."
        )
    try:
        with transaction.atomic():
            tender = Tender.objects.create(competition=competition, lot=lot, supplier=supplier, created_by=by)
    except IntegrityError:
        return Tender.objects.get(lot=lot, supplier=supplier)
    record_tender_event(
        "tender.started", tender=tender, by=by, data={"competition": competition.reference, "lot": lot.number}
    )
    return tender


def lock_tender(tender: Tender) -> Tender:
    return Tender.objects.select_for_update().select_related("competition", "lot").get(pk=tender.pk)


def _bounds_problem(lot: CompetitionLot, price: Decimal) -> str | None:
    if lot.min_annual_bid is not None and price < lot.min_annual_bid:
        return f"{lot}: the minimum annual bid is {money(lot.min_annual_bid)} (you entered {money(price)})"
    if lot.max_annual_bid is not None and price > lot.max_annual_bid:
        return f"{lot}: the maximum annual bid is {money(lot.max_annual_bid)} (you entered {money(price)})"
    return None


def _store_document(tender: Tender, kind: str, upload: UploadedFile, by: User, now: datetime) -> TenderDocument:
    try:
        validate_upload(upload)
    except ValidationError as error:
        raise field_error(
            "budget" if kind == TenderDocument.Kind.BUDGET else "supporting", " ".join(error.messages)
        ) from error
    TenderDocument.objects.filter(tender=tender, kind=kind, replaced_at__isnull=True).update(replaced_at=now)
    document = TenderDocument(
        tender=tender,
        kind=kind,
        name=upload.name,
        sha256=sha256_of(upload),
        size=upload.size or 0,
        uploaded_by=by,
        uploaded_at=now,
    )
    upload.seek(0)
    document.file.save("sealed", seal_file(tender.competition_id, upload.read()), save=False)
    document.save()
    return document


@transaction.atomic
def save_tender(
    *,
    tender: Tender,
    by: User,
    now: datetime | None = None,
    annual_price: Decimal | None = None,
    answers: Mapping[int, str] | None = None,
    is_consortium: bool | None = None,
    members: list[Mapping[str, str]] | None = None,
    social_value_summary: str | None = None,
    commitments: list[Mapping[str, Any]] | None = None,
    uploads: Mapping[str, UploadedFile] | None = None,
    autosave: bool = False,
) -> Tender:
    """Save a draft on the server. Only what is given changes; an autosave sends text only and is not
    audited. Refused once the closing time has passed: what was saved stays saved."""
    now = now_or(now)
    tender = lock_tender(tender)
    require_supplier_of(tender, by)
    competition = tender.competition
    TENDER.next_status("edit", tender.status)
    if not competition.is_open(now):
        raise AwardRuleError(_closed_message(competition))
    if holds_nul_character(*(answers or {}).values(), social_value_summary):
        raise AwardRuleError(CANNOT_BE_SAVED)
    changed = []
    if annual_price is not None:
        price = read_money(annual_price, field="annual_price")
        if price <= 0:
            raise field_error("annual_price", "Enter an annual price of more than £0")
        problem = _bounds_problem(tender.lot, price)
        if problem:
            raise field_error("annual_price", problem)
        tender.annual_price = price
        changed.append("annual_price")
    if answers:
        allowed = {c.pk for c in selectors.answerable_criteria(competition)}
        for criterion_id, text in answers.items():
            if criterion_id not in allowed:
                raise AwardRuleError("That question is not part of this competition.")
            TenderAnswer.objects.update_or_create(tender=tender, criterion_id=criterion_id, defaults={"text": text})
        changed.append("answers")
    if is_consortium is not None:
        tender.is_consortium = is_consortium
        changed.append("consortium")
    if tender.is_consortium is False:
        members = []  # a sole bidder names no members; anything typed in the member rows is not kept
    if members is not None:
        tender.consortium_members.all().delete()
        for spec in members:
            if not (spec.get("name") or "").strip():
                continue
            if not (spec.get("role") or "").strip():
                raise AwardRuleError(f"Enter what {spec['name']} will deliver in the consortium")
            TenderConsortiumMember.objects.create(
                tender=tender,
                name=spec["name"].strip(),
                registration_number=(spec.get("registration_number") or "").strip(),
                role=spec["role"].strip(),
                supplier_ref=Supplier.objects.filter(legal_name__iexact=spec["name"].strip())
                .values_list("pk", flat=True)
                .first(),
            )
        changed.append("members")
    if social_value_summary is not None:
        tender.social_value_summary = social_value_summary
        changed.append("social_value")
    if commitments is not None:
        tender.commitments.all().delete()
        for spec in commitments:
            commitment = TenderCommitment(tender=tender, **spec)
            try:
                commitment.full_clean(exclude=["tender"])
            except ValidationError as error:
                raise AwardRuleError(f"Commitment ‘{spec.get('measure', '')}’: {' '.join(error.messages)}") from error
            commitment.save()
        changed.append("commitments")
    for kind, upload in (uploads or {}).items():
        if upload is not None:
            _store_document(tender, kind, upload, by, now)
            changed.append(f"file:{kind}")
    tender.save()
    if not autosave and changed:
        record_tender_event("tender.saved", tender=tender, by=by, sealed={"changed": changed})
    return tender


def social_value_needed(tender: Tender) -> bool:
    """A Social Value Proposal is required over the threshold and whenever social value is scored."""
    competition = tender.competition
    return competition.social_value_required or any(c.is_social_value and c.weight for c in competition.criteria.all())


def submission_problems(tender: Tender) -> list[tuple[str, str]]:
    """(field, message) for everything that stops this response being submitted."""
    problems: list[tuple[str, str]] = []
    competition = tender.competition
    if tender.annual_price is None:
        problems.append(("annual_price", "Enter your annual price (bid value)"))
    else:
        problem = _bounds_problem(tender.lot, tender.annual_price)
        if problem:
            problems.append(("annual_price", problem))
    answers = {a.criterion_id: a.text for a in tender.answers.all()}
    for criterion in selectors.answerable_criteria(competition):
        text = answers.get(criterion.pk, "")
        if not text.strip():
            problems.append((f"answer_{criterion.pk}", f"Answer ‘{criterion.title}’"))
        elif criterion.word_limit and len(text.split()) > criterion.word_limit:
            problems.append(
                (
                    f"answer_{criterion.pk}",
                    f"Your answer to ‘{criterion.title}’ must be {criterion.word_limit} words or fewer",
                )
            )
    if tender.is_consortium is None:
        problems.append(("is_consortium", "Say whether you are bidding as the lead of a consortium"))
    elif tender.is_consortium and not tender.consortium_members.exists():
        problems.append(("member_0_name", "Name at least one member of your consortium"))
    if social_value_needed(tender):
        if not tender.social_value_summary.strip():
            problems.append(("social_value_summary", "Write your Social Value Proposal"))
        if not tender.commitments.exists():
            problems.append(("commitment_0_measure", "Add at least one social value commitment"))
    if (
        competition.requires_budget_template
        and not tender.documents.filter(kind=TenderDocument.Kind.BUDGET, replaced_at__isnull=True).exists()
    ):
        problems.append(("budget", "Upload your completed budget template"))
    return problems


def _snapshot(tender: Tender) -> dict:
    return {
        "annual_price": tender.annual_price,
        "answers": {str(a.criterion_id): a.text for a in tender.answers.all()},
        "is_consortium": tender.is_consortium,
        "members": [
            {"name": m.name, "registration_number": m.registration_number, "role": m.role}
            for m in tender.consortium_members.all()
        ],
        "social_value_summary": tender.social_value_summary,
        "commitments": [
            {"theme": c.theme, "measure": c.measure, "unit": c.unit, "target": c.target, "due_on": c.due_on}
            for c in tender.commitments.all()
        ],
        "documents": [
            {"id": d.pk, "kind": d.kind, "name": d.name, "sha256": d.sha256, "size": d.size}
            for d in tender.documents.filter(replaced_at__isnull=True)
        ],
    }


@transaction.atomic
def submit_tender(*, tender: Tender, by: User, now: datetime | None = None) -> Tender:
    """Refused at or after the closing time. The competition and tender rows are locked, so a double
    click or a retry never makes two submissions: the second finds it submitted and does nothing."""
    now = now_or(now)
    competition = lock_competition(tender.competition)
    tender = lock_tender(tender)
    require_supplier_of(tender, by)
    if tender.status == TenderStatus.SUBMITTED:
        return tender
    after = TENDER.next_status("submit", tender.status)
    if not competition.is_open(now):
        raise AwardRuleError(_closed_message(competition))
    problems = submission_problems(tender)
    if problems:
        raise AwardRuleError(_grouped(problems))
    tender.version += 1
    files = [
        {"kind": d.get_kind_display(), "name": d.name, "sha256": d.sha256, "size": d.size}
        for d in tender.documents.filter(replaced_at__isnull=True)
    ]
    receipt = {
        "reference": f"{tender.reference}-v{tender.version}",
        "competition": f"{competition.reference}: {competition.title}",
        "lot": str(tender.lot),
        "version": tender.version,
        "received_at": now.isoformat(),
        "submitted_by": by.email,
        "files": files,
    }
    TenderVersion.objects.create(
        tender=tender,
        number=tender.version,
        submitted_at=now,
        submitted_by=by,
        content=json_ready(_snapshot(tender)),
        receipt=receipt,
    )
    tender.status = after
    tender.submitted_at = now
    tender.submitted_by = by
    tender.withdrawn_at = None
    tender.receipt = receipt
    tender.save()
    record_tender_event(
        "tender.submitted",
        tender=tender,
        by=by,
        data={"competition": competition.reference, "lot": tender.lot.number, "received_at": now},
        sealed={"version": tender.version, "files_sha256": [f["sha256"] for f in files]},
    )
    notify(
        to=emails_of_suppliers([tender.supplier_id]),
        subject=f"Response received: {competition.title}",
        message=(
            f"We received your response to {tender.lot} of {competition.reference} at "
            f"{when(now, seconds=True)} (UK time). Your receipt reference is "
            f"{receipt['reference']}. It stays sealed until the closing time."
        ),
        details=[("Closing time", deadline(competition.closes_at))]
        + [(f"{f['kind']}: {f['name']}", f"SHA-256 {f['sha256']}") for f in files],
        url=reverse("awards:tender_receipt", args=[tender.pk]),
        action="See your receipt",
        sealed_for=sealed_for(competition),
    )
    return tender


def _grouped(problems: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for field, message in problems:
        grouped.setdefault(field, []).append(message)
    return grouped


def json_ready(value):
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


@transaction.atomic
def withdraw_tender(*, tender: Tender, by: User, now: datetime | None = None) -> Tender:
    """Withdraw a submitted response before the closing time; it can be changed and submitted again."""
    now = now_or(now)
    competition = lock_competition(tender.competition)
    tender = lock_tender(tender)
    require_supplier_of(tender, by)
    after = TENDER.next_status("withdraw", tender.status)
    if not competition.is_open(now):
        raise AwardRuleError(
            f"The closing time was {deadline(competition.closes_at)}: a submitted response can no longer be withdrawn."
        )
    tender.status = after
    tender.withdrawn_at = now
    tender.save()
    TenderVersion.objects.filter(tender=tender, number=tender.version).update(withdrawn_at=now)
    record_tender_event("tender.withdrawn", tender=tender, by=by, sealed={"version": tender.version})
    return tender
