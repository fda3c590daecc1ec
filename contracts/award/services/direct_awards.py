"""Direct awards: requested with their justification, their Social Value Proposal evaluated through the one
evaluation mechanism (`frameworks.evaluation`), and approved or rejected by a second officer."""

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

from commissioning import events
from commissioning.audit import record
from commissioning.dates import long_date
from commissioning.models import Area, User
from commissioning.templatetags.portal import money
from contracts import services as contract_services
from contracts import whole_life
from contracts.award import selectors
from contracts.award.events import DIRECT_AWARD_APPROVED
from contracts.award.lifecycles import DIRECT_AWARD
from contracts.award.models import (
    AwardCriterion,
    DirectAward,
    DirectAwardCommitment,
    DirectAwardModeratedScore,
    Justification,
    parse_months,
)
from contracts.models import Contract, NoticeType
from contracts.notices.services import sync_notices
from frameworks.models import Lot
from suppliers.models import Supplier

from .common import (
    PENNY,
    AwardRuleError,
    field_error,
    notify,
    officer_emails,
    read_money,
    require_established,
    require_notice_published,
    require_officer,
)
from .decisions import copy_social_value

# --- Direct awards ------------------------------------------------------------------------------------


def direct_award_social_value_required(
    *, kind: str, start_on: date, term_months: int, annual_value: Decimal, extension_months: str = ""
) -> bool:
    """Over the threshold on the whole-life value (initial term and every extension option, excluding VAT)."""
    life = whole_life.from_annual(start_on, term_months, parse_months(extension_months), annual_value)
    return contract_services.social_value_required(kind, life.amount)


def _framework_open(framework_lot: Lot, today: date) -> None:
    framework = framework_lot.framework
    if today > framework.term_end:
        raise field_error(
            "framework_lot",
            f"The framework {framework.reference} ended on {long_date(framework.term_end)}: no call-off can be made "
            "after its end",
        )


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
        _framework_open(framework_lot, timezone.localdate())
        if not areas:
            raise field_error("areas", "Select the areas the call-off covers")
        if not selectors.appointment_covers(framework_lot, supplier, areas, buying_authority_id=by.authority_id):
            raise field_error(
                "supplier",
                f"{supplier} has no active appointment on {framework_lot} covering every selected area"
                + (
                    ""
                    if framework_lot.framework.lead_authority_id == by.authority_id
                    else " with its consent to share its details with partner authorities"
                ),
            )
    life = whole_life.from_annual(contract_start_on, term_months, parse_months(extension_months), value)
    sv_required = contract_services.social_value_required(kind, life.amount)
    if sv_required and not social_value_summary.strip():
        raise field_error(
            "social_value_summary",
            f"The whole-life value, {money(life.amount)} ({life.basis}), is over "
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
    sync_notices(direct_award, by=by)
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
def approve_direct_award(
    *, direct_award: DirectAward, by: User, note: str = "", today: date | None = None
) -> DirectAward:
    """A second, different officer approves; the contract is created, with the Social Value Proposal
    and commitments, accepted with their moderated score."""
    direct_award = _lock_direct_award(direct_award)
    require_officer(direct_award, by)
    after = DIRECT_AWARD.next_status("approve", direct_award.status)
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
    require_notice_published(
        direct_award,
        NoticeType.UK5,
        "Publish the transparency notice (UK5) on Find a Tender and record it here before the direct award is "
        "approved (s.44 of the Procurement Act 2023).",
        by=by,
    )
    if direct_award.framework_lot_id:
        _framework_open(direct_award.framework_lot, today or timezone.localdate())
    areas = list(direct_award.areas.all())
    if direct_award.framework_lot_id and not selectors.appointment_covers(
        direct_award.framework_lot, direct_award.supplier, areas, buying_authority_id=direct_award.buying_authority_id
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
    direct_award.status = after
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
    events.send(
        DIRECT_AWARD_APPROVED,
        direct_award_id=direct_award.pk,
        supplier_id=direct_award.supplier_id,
        contract_id=contract.pk,
        by_id=by.pk,
    )
    notify(
        to=[direct_award.requested_by.email],
        subject=f"Direct award approved: {direct_award.reference}",
        message=f"{by.full_name} approved the direct award of {direct_award.title} to {direct_award.supplier}. "
        f"Contract {contract.reference} has been created as a draft.",
        url=reverse("contracts:officer_contract", args=[contract.pk]),
    )
    sync_notices(direct_award, by=by)
    sync_notices(contract, by=by)
    return direct_award


@transaction.atomic
def reject_direct_award(*, direct_award: DirectAward, reason: str, by: User) -> DirectAward:
    direct_award = _lock_direct_award(direct_award)
    require_officer(direct_award, by)
    after = DIRECT_AWARD.next_status("reject", direct_award.status)
    if direct_award.requested_by_id == by.pk:
        raise AwardRuleError("You asked for this direct award: a second, different officer decides it.")
    if not reason.strip():
        raise field_error("note", "Give the reason for rejecting the direct award")
    direct_award.status = after
    direct_award.decided_by = by
    direct_award.decided_at = timezone.now()
    direct_award.decision_note = reason.strip()
    direct_award.save()
    record("direct_award.rejected", by=by, obj=direct_award, data={"reason": direct_award.decision_note})
    sync_notices(direct_award, by=by)
    return direct_award
