"""A draft contract goes live: on an award's or direct award's word, or on two officers' (issue 16)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction

from commissioning import events
from commissioning.audit import record
from commissioning.clock import recorded_now
from commissioning.models import User
from commissioning.rules import is_established, reads_for_authority

from .. import whole_life
from ..events import (
    CONTRACT_WENT_LIVE,
)
from ..models import (
    Contract,
)
from .common import (
    ContractRuleError,
    _has_accepted_social_value,
    _id,
    _locked,
    _sync_notices,
    _today,
    _total_value,
    dates_changed,
    social_value_required,
)


def needs_second_officer(contract: Contract) -> bool:
    """A contract that no award or direct award produced (entered or imported) goes live only when a
    second, different, established officer confirms what a first one proposed. A grant agreement made from
    an awarded grant application (its terms and payment schedule) was produced by that decision."""
    if contract.origin in (Contract.Origin.AWARD, Contract.Origin.DIRECT_AWARD) and contract.source_object_id:
        return False
    if contract.kind == Contract.Kind.GRANT:
        from ..grants.models import GrantTerms

        return not GrantTerms.objects.filter(contract=contract).exists()
    return True


def _social_value_problem(contract: Contract) -> str | None:
    life = whole_life.of_contract(contract, recorded_total=_total_value(contract))
    if social_value_required(contract.kind, life.amount) and not _has_accepted_social_value(contract):
        return (
            f"The whole-life contract value of £{life.amount:,.2f} (excluding VAT) is over "
            f"£{settings.SOCIAL_VALUE_THRESHOLD:,.2f} ({life.basis}): accept a Social Value Proposal before it goes "
            "live"
        )
    return None


def make_live_by_two(*, first: User, second: User, contract: Contract) -> Contract:
    """Both steps at once, for the demo and scripts that stand for two real officers."""
    if needs_second_officer(contract):
        propose_going_live(by=first, contract=contract)
        return activate_contract(by=second, contract=contract)
    return activate_contract(by=first, contract=contract)


@transaction.atomic
def propose_going_live(*, by: User, contract: Contract) -> Contract:
    """The first officer asks for an entered or imported contract to go live; a second confirms."""
    contract = _locked(contract)
    if not contract.is_draft:
        raise ContractRuleError("This contract is already live")
    if not needs_second_officer(contract):
        raise ContractRuleError("A contract made from an award or direct award goes live without a second officer")
    if contract.live_proposed_at is not None:
        raise ContractRuleError("Going live has already been proposed: a second officer must confirm it")
    problem = _social_value_problem(contract)
    if problem:
        raise ContractRuleError(problem)
    contract.live_proposed_at = recorded_now()
    contract.live_proposed_by = by
    contract.save()
    record("contracts.going_live_proposed", by=by, obj=contract, data={"origin": contract.origin})
    return contract


def _require_second_officer(contract: Contract, by: User | None) -> None:
    if contract.live_proposed_at is None:
        raise ContractRuleError(
            "No award or direct award produced this contract: one officer proposes that it goes live and a second, "
            "different officer confirms"
        )
    if by is None or contract.live_proposed_by_id == by.pk:
        raise ContractRuleError("You proposed that this contract goes live: a second, different officer must confirm")
    if not reads_for_authority(by, contract):
        raise ContractRuleError(
            "Only an officer of an authority that buys or co-commissions this contract can confirm that it goes live"
        )
    if not is_established(by):
        raise ContractRuleError(
            f"Your officer role is less than {settings.ESTABLISHED_AFTER_DAYS} days old and was not approved by a "
            "second platform administrator, so you cannot be the second officer to make a contract live"
        )


@transaction.atomic
def activate_contract(*, by: User | None, contract: Contract, today: date | None = None) -> Contract:
    """Make a draft contract live. Over the social value threshold (total contract value, excluding
    VAT) it needs an accepted Social Value Proposal first. One that no award or direct award produced
    needs a second officer's confirmation of a proposal (`propose_going_live`)."""
    contract = _locked(contract)
    if not contract.is_draft:
        raise ContractRuleError("This contract is already live")
    two_person = needs_second_officer(contract)
    if two_person:
        _require_second_officer(contract, by)
    total = _total_value(contract)
    life = whole_life.of_contract(contract, recorded_total=total)
    if social_value_required(contract.kind, life.amount) and not _has_accepted_social_value(contract):
        raise ContractRuleError(
            f"The whole-life contract value of £{life.amount:,.2f} (excluding VAT) is over "
            f"£{settings.SOCIAL_VALUE_THRESHOLD:,.2f} ({life.basis}): accept a Social Value Proposal before it goes "
            "live"
        )
    contract.activated_at = recorded_now()
    contract.activated_by = by
    contract.save()
    dates_changed(contract)
    record(
        "contracts.contract_went_live",
        by=by,
        obj=contract,
        data={
            "total_value": total,
            "whole_life_value": life.amount,
            "social_value_threshold": settings.SOCIAL_VALUE_THRESHOLD,
            "status": contract.status_on(_today(today)),
            **(
                {"proposed_by": contract.live_proposed_by.email, "confirmed_by": by.email}
                if two_person and by is not None
                else {}
            ),
        },
    )
    events.send(CONTRACT_WENT_LIVE, contract_id=contract.pk, by_id=_id(by))
    _sync_notices(contract, by=by)
    return contract
