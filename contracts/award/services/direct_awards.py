"""Direct awards: requested with their justification, evaluated like tenders, and approved or rejected by a
second officer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commissioning.audit import record
from commissioning.models import Area, User
from commissioning.templatetags.portal import money
from contracts import services as contract_services
from contracts.award import selectors
from contracts.award.models import (
    AwardCriterion,
    DirectAward,
    DirectAwardAssignment,
    DirectAwardCommitment,
    DirectAwardModeratedScore,
    DirectAwardScore,
    Justification,
    parse_months,
)
from contracts.models import Contract
from frameworks import evaluation
from frameworks.models import Lot
from suppliers.models import Supplier

from .common import (
    PENNY,
    AwardRuleError,
    contract_total,
    field_error,
    notify,
    officer_emails,
    read_money,
    require_established,
    require_officer,
)
from .decisions import copy_social_value
from .evaluation import eligible_evaluator

# --- Direct awards ------------------------------------------------------------------------------------


def direct_award_social_value_required(*, kind: str, start_on: date, term_months: int, annual_value: Decimal) -> bool:
    return contract_services.social_value_required(kind, contract_total(start_on, term_months, annual_value))


@transaction.atomic
def request_direct_award(
    *,
    by: User,
    reference: str,
    title: str,
    supplier: Supplier,
    annual_value: Decimal,
    contract_start_on: date,
    term_months: int,
    justification: str,
    explanation: str,
    kind: str = Contract.Kind.CONTRACT,
    scope: str = "",
    framework_lot: Lot | None = None,
    areas: Iterable[Area] = (),
    extension_months: str = "",
    social_value_summary: str = "",
    commitments: list[Mapping[str, Any]] = (),
) -> DirectAward:
    """Record a direct award for a second officer to approve. For a framework call-off the supplier
    must hold an active appointment on the lot covering every area; over the threshold a Social Value
    Proposal with commitments is required, and is scored and moderated before approval."""
    if not (by.is_active and by.role == User.Role.OFFICER and by.authority_id):
        raise PermissionDenied("Only officers of an authority can make direct awards.")
    areas = list(areas)
    if justification not in Justification.values:
        raise field_error("justification", "Select the justification for a direct award")
    if not explanation.strip():
        raise field_error("explanation", "Explain why the justification applies")
    if justification == Justification.FRAMEWORK_NO_COMPETITION and framework_lot is None:
        raise field_error("framework_lot", "A call-off without competition under section 45(4) names the framework lot")
    if (
        DirectAward.objects.filter(reference=reference).exists()
        or Contract.objects.filter(reference=reference).exists()
    ):
        raise field_error("reference", f"The reference {reference} is already used")
    value = read_money(annual_value, field="annual_value")
    if value <= 0:
        raise field_error("annual_value", "Enter an annual value of more than £0")
    if framework_lot is not None:
        if not areas:
            raise field_error("areas", "Select the areas the call-off covers")
        if not selectors.appointment_covers(framework_lot, supplier, areas):
            raise field_error(
                "supplier",
                f"{supplier} has no active appointment on {framework_lot} covering every selected area",
            )
    sv_required = direct_award_social_value_required(
        kind=kind, start_on=contract_start_on, term_months=term_months, annual_value=value
    )
    if sv_required and not social_value_summary.strip():
        raise field_error(
            "social_value_summary",
            f"The total value, {money(contract_total(contract_start_on, term_months, value))}, is over "
            f"{money(settings.SOCIAL_VALUE_THRESHOLD)} (excluding VAT): record the supplier's Social Value Proposal",
        )
    if sv_required and not commitments:
        raise field_error("commitment_0_measure", "Add at least one social value commitment")
    direct_award = DirectAward.objects.create(
        reference=reference.strip(),
        title=title.strip(),
        scope=scope,
        kind=kind,
        supplier=supplier,
        framework_lot=framework_lot,
        buying_authority_id=by.authority_id,
        annual_value=value,
        contract_start_on=contract_start_on,
        term_months=term_months,
        extension_months=",".join(str(m) for m in parse_months(extension_months)),
        justification=justification,
        explanation=explanation.strip(),
        social_value_summary=social_value_summary.strip(),
        requested_by=by,
    )
    direct_award.areas.set(areas)
    for spec in commitments:
        commitment = DirectAwardCommitment(direct_award=direct_award, **spec)
        commitment.full_clean(exclude=["direct_award"])
        commitment.save()
    if sv_required:
        AwardCriterion.objects.create(
            direct_award=direct_award,
            kind=AwardCriterion.Kind.SOCIAL_VALUE,
            title="Social Value Proposal",
            weight=100,
            max_score=4,
            guidance="Score the proposal's commitments: relevant, measurable, deliverable within the contract.",
        )
    record(
        "direct_award.requested",
        by=by,
        obj=direct_award,
        data={
            "supplier": supplier.legal_name,
            "framework_lot": str(framework_lot) if framework_lot else None,
            "areas": sorted(a.name for a in areas),
            "annual_value": value,
            "justification": direct_award.get_justification_display(),
            "explanation": direct_award.explanation,
            "social_value_required": sv_required,
        },
    )
    notify(
        to=officer_emails(by.authority_id, exclude=by),
        subject=f"Direct award to approve: {direct_award.reference}",
        message=f"{by.full_name} asks for a direct award of {direct_award.title} to {supplier.legal_name}. A second "
        "officer must approve it before the contract is created.",
        url=reverse("awards:officer_direct_award", args=[direct_award.pk]),
    )
    return direct_award


def _lock_direct_award(direct_award: DirectAward) -> DirectAward:
    return DirectAward.objects.select_for_update().get(pk=direct_award.pk)


@transaction.atomic
def assign_direct_award_evaluators(
    *, direct_award: DirectAward, evaluators: list[User], by: User
) -> list[DirectAwardAssignment]:
    direct_award = _lock_direct_award(direct_award)
    require_officer(direct_award, by)
    if direct_award.status != DirectAward.Status.REQUESTED or not direct_award.criteria.exists():
        raise AwardRuleError("Only a requested direct award with a Social Value Proposal to score has evaluators.")
    for evaluator in evaluators:
        if not eligible_evaluator(evaluator):
            raise AwardRuleError(f"{evaluator.full_name} cannot evaluate.")
    existing = set(direct_award.assignments.values_list("evaluator_id", flat=True))
    if len(existing | {e.pk for e in evaluators}) < 2:
        raise field_error("evaluators", "Assign at least two evaluators")
    created = [
        DirectAwardAssignment.objects.create(direct_award=direct_award, evaluator=e, assigned_by=by)
        for e in evaluators
        if e.pk not in existing
    ]
    record(
        "direct_award.evaluators_assigned",
        by=by,
        obj=direct_award,
        data={"evaluators": [a.evaluator.email for a in created]},
    )
    for assignment in created:
        notify(
            to=[assignment.evaluator.email],
            subject=f"A Social Value Proposal to evaluate: {direct_award.reference}",
            message=f"You have been asked to score the Social Value Proposal of the direct award {direct_award.title}. "
            "Declare any conflict of interest with the supplier first.",
            url=reverse("awards:evaluator_assignments"),
        )
    return created


@transaction.atomic
def declare_direct_award_conflict(
    *, assignment: DirectAwardAssignment, has_conflict: bool, details: str, by: User
) -> DirectAwardAssignment:
    assignment = DirectAwardAssignment.objects.select_for_update().select_related("direct_award").get(pk=assignment.pk)
    evaluation.declare(assignment, has_conflict=has_conflict, details=details, by=by)
    record(
        "evaluation.conflict_declared",
        by=by,
        obj=assignment.direct_award,
        data={"has_conflict": has_conflict, "details": details},
    )
    return assignment


@transaction.atomic
def save_direct_award_scores(
    *, assignment: DirectAwardAssignment, marks: dict[int, dict], submit: bool, by: User
) -> DirectAwardAssignment:
    assignment = DirectAwardAssignment.objects.select_for_update().select_related("direct_award").get(pk=assignment.pk)
    if assignment.direct_award.status != DirectAward.Status.REQUESTED:
        raise AwardRuleError("This direct award has been decided.")
    criteria = {c.pk: c for c in assignment.direct_award.criteria.all()}
    stored = evaluation.record_marks(
        assignment,
        criteria=criteria,
        marks=marks,
        submit=submit,
        by=by,
        score_model=DirectAwardScore,
        criterion_field="criterion",
    )
    if submit:
        record(
            "evaluation.scores_submitted",
            by=by,
            obj=assignment.direct_award,
            data={c: s.score for c, s in stored.items()},
        )
    return assignment


@transaction.atomic
def moderate_direct_award(
    *, direct_award: DirectAward, criterion: AwardCriterion, score: int | None, reason: str, by: User
) -> DirectAwardModeratedScore:
    direct_award = _lock_direct_award(direct_award)
    require_officer(direct_award, by)
    if direct_award.status != DirectAward.Status.REQUESTED:
        raise AwardRuleError("This direct award has been decided.")
    if criterion.direct_award_id != direct_award.pk:
        raise AwardRuleError("That criterion is not part of this direct award.")
    evaluation.require_all_marks_in(direct_award.assignments.all())
    evaluation.check_agreed_mark(criterion, score=score, passed=None, reason=reason)
    moderated, _ = DirectAwardModeratedScore.objects.update_or_create(
        direct_award=direct_award,
        criterion=criterion,
        defaults={"score": score, "reason": reason.strip(), "moderated_by": by},
    )
    record(
        "evaluation.moderated",
        by=by,
        obj=direct_award,
        data={"criterion": criterion.title, "score": score, "reason": reason.strip()},
    )
    return moderated


@transaction.atomic
def approve_direct_award(
    *, direct_award: DirectAward, by: User, note: str = "", today: date | None = None
) -> DirectAward:
    """A second, different officer approves; the contract is created, with the Social Value Proposal
    and commitments, accepted with their moderated score."""
    direct_award = _lock_direct_award(direct_award)
    require_officer(direct_award, by)
    if direct_award.status != DirectAward.Status.REQUESTED:
        raise AwardRuleError(f"This direct award is {direct_award.get_status_display().lower()}.")
    if direct_award.requested_by_id == by.pk:
        raise AwardRuleError("You asked for this direct award: a second, different officer must approve it.")
    require_established(by, "approve it")
    criterion = direct_award.criteria.first()
    moderated = (
        DirectAwardModeratedScore.objects.filter(direct_award=direct_award, criterion=criterion).first()
        if criterion
        else None
    )
    if criterion is not None and moderated is None:
        raise AwardRuleError("Score and moderate the Social Value Proposal before approving the direct award.")
    areas = list(direct_award.areas.all())
    if direct_award.framework_lot_id and not selectors.appointment_covers(
        direct_award.framework_lot, direct_award.supplier, areas
    ):
        raise AwardRuleError(
            f"{direct_award.supplier} no longer has an active appointment on {direct_award.framework_lot} covering "
            "every area."
        )
    try:
        contract = contract_services.create_contract(
            by=by,
            reference=direct_award.reference,
            title=direct_award.title,
            scope=direct_award.scope,
            kind=direct_award.kind,
            supplier=direct_award.supplier,
            buying_authority=direct_award.buying_authority,
            start_on=direct_award.contract_start_on,
            initial_end_on=direct_award.contract_end_on,
            lot=direct_award.framework_lot,
            areas=areas,
            extension_months=direct_award.extension_list,
            annual_value=direct_award.annual_value,
            officer_manager=direct_award.requested_by,
            origin=Contract.Origin.DIRECT_AWARD,
            source=direct_award,
        )
    except contract_services.ContractRuleError as error:
        raise AwardRuleError(error.text) from error
    score = (
        (Decimal(moderated.score) / Decimal(criterion.max_score) * 100).quantize(PENNY)
        if moderated is not None
        else None
    )
    copy_social_value(
        contract,
        summary=direct_award.social_value_summary,
        commitments=[c.as_spec() for c in direct_award.commitments.all()],
        score=score,
        received_on=timezone.localdate(direct_award.requested_at),
        by=by,
    )
    direct_award.status = DirectAward.Status.APPROVED
    direct_award.decided_by = by
    direct_award.decided_at = timezone.now()
    direct_award.decision_note = note.strip()
    direct_award.contract = contract
    direct_award.save()
    record(
        "direct_award.approved",
        by=by,
        obj=direct_award,
        data={
            "requested_by": direct_award.requested_by.email,
            "approved_by": by.email,
            "contract": contract.reference,
            "note": direct_award.decision_note,
            "social_value_score": score,
        },
    )
    notify(
        to=[direct_award.requested_by.email],
        subject=f"Direct award approved: {direct_award.reference}",
        message=f"{by.full_name} approved the direct award of {direct_award.title} to {direct_award.supplier}. "
        f"Contract {contract.reference} has been created as a draft.",
        url=reverse("contracts:officer_contract", args=[contract.pk]),
    )
    return direct_award


@transaction.atomic
def reject_direct_award(*, direct_award: DirectAward, reason: str, by: User) -> DirectAward:
    direct_award = _lock_direct_award(direct_award)
    require_officer(direct_award, by)
    if direct_award.status != DirectAward.Status.REQUESTED:
        raise AwardRuleError(f"This direct award is {direct_award.get_status_display().lower()}.")
    if direct_award.requested_by_id == by.pk:
        raise AwardRuleError("You asked for this direct award: a second, different officer decides it.")
    if not reason.strip():
        raise field_error("note", "Give the reason for rejecting the direct award")
    direct_award.status = DirectAward.Status.REJECTED
    direct_award.decided_by = by
    direct_award.decided_at = timezone.now()
    direct_award.decision_note = reason.strip()
    direct_award.save()
    record("direct_award.rejected", by=by, obj=direct_award, data={"reason": direct_award.decision_note})
    return direct_award
