"""A contract's Social Value Proposal: recorded, then accepted by an officer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from commissioning import events
from commissioning.audit import record
from commissioning.models import User

from ..events import (
    SOCIAL_VALUE_CHANGED,
)
from ..models import (
    Contract,
    SocialValueCommitment,
    SocialValueProposal,
)
from .common import ContractRuleError, _id, _locked


@transaction.atomic
def record_social_value_proposal(
    *,
    by: User | None,
    contract: Contract,
    summary: str,
    received_on: date | None = None,
    score: Decimal | None = None,
    commitments: Iterable[Mapping[str, Any]] = (),
) -> SocialValueProposal:
    """Record (or replace, before acceptance) the provider's Social Value Proposal and commitments."""
    contract = _locked(contract)
    proposal = SocialValueProposal.objects.filter(contract=contract).first()
    if proposal is not None and proposal.is_accepted:
        raise ContractRuleError("The Social Value Proposal has been accepted and cannot be replaced")
    if not summary.strip():
        raise ContractRuleError("Enter a summary of the proposal", field="summary")
    proposal, _ = SocialValueProposal.objects.update_or_create(
        contract=contract, defaults={"summary": summary.strip(), "received_on": received_on, "score": score}
    )
    proposal.commitments.all().delete()
    for spec in commitments:
        commitment = SocialValueCommitment(proposal=proposal, **spec)
        commitment.full_clean()
        commitment.save()
    record(
        "contracts.social_value_proposal_recorded",
        by=by,
        obj=contract,
        data={"score": score, "commitments": [str(c) for c in proposal.commitments.all()]},
    )
    events.send(SOCIAL_VALUE_CHANGED, contract_id=contract.pk, by_id=_id(by))
    return proposal


@transaction.atomic
def accept_social_value_proposal(*, by: User, proposal: SocialValueProposal) -> SocialValueProposal:
    proposal = SocialValueProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.is_accepted:
        raise ContractRuleError("The Social Value Proposal has already been accepted")
    if not proposal.commitments.exists():
        raise ContractRuleError("Add at least one commitment before accepting the proposal")
    proposal.accepted_at = timezone.now()
    proposal.accepted_by = by
    proposal.save()
    record("contracts.social_value_proposal_accepted", by=by, obj=proposal.contract, data={"score": proposal.score})
    events.send(SOCIAL_VALUE_CHANGED, contract_id=proposal.contract_id, by_id=_id(by))
    return proposal
