"""Entering contracts on the register and editing them while they are drafts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from commissioning import events
from commissioning.audit import record
from commissioning.changes import differences, snapshot, stored_snapshot
from commissioning.models import Area, Authority, FundingStream, User
from frameworks.models import Lot
from suppliers.models import Supplier

from .. import coverage_tallies, decision_points
from ..events import (
    SOCIAL_VALUE_CHANGED,
)
from ..models import (
    Contract,
    ContractFunding,
    ContractYearValue,
    ExtensionOption,
    SocialValueCommitment,
)
from ..models.terms import LONGEST_NOTICE_MONTHS
from .common import (
    ContractRuleError,
    _check_year_in_term,
    _id,
    _locked,
    _money,
    _plain,
    _sync_notices,
    _total_value,
    spread_annual_value,
)


@transaction.atomic
def create_contract(
    *,
    by: User | None,
    reference: str,
    title: str,
    supplier: Supplier,
    buying_authority: Authority,
    start_on: date,
    initial_end_on: date,
    kind: str = Contract.Kind.CONTRACT,
    scope: str = "",
    lot: Lot | None = None,
    areas: Iterable[Area] = (),
    consortium_members: Iterable[Supplier] = (),
    extension_months: Sequence[int] = (),
    extension_notice_months: int = 6,
    annual_value: Decimal | None = None,
    year_values: Mapping[int, Decimal] | None = None,
    officer_manager: User | None = None,
    supplier_manager_name: str = "",
    supplier_manager_email: str = "",
    supplier_manager_user: User | None = None,
    in_recommissioning_scope: bool = True,
    scope_note: str = "",
    origin: str = Contract.Origin.ENTERED,
    source: models.Model | None = None,
) -> Contract:
    """Create a draft contract with its extension options and year values.

    `annual_value` is spread over the financial years of the initial term (pro rata for part years);
    `year_values` gives each financial year's value instead.
    """
    if initial_end_on <= start_on:
        raise ContractRuleError("The initial end date must be after the start date", field="initial_end_on")
    if Contract.objects.filter(reference=reference).exists():
        raise ContractRuleError(f"A contract with reference {reference} already exists", field="reference")
    if annual_value is not None and year_values is not None:
        raise ContractRuleError("Give an annual value or values per financial year, not both")
    if any(months < 1 for months in extension_months):
        raise ContractRuleError("An extension option must be at least 1 month", field="extension_months")
    _check_notice_months(extension_notice_months)
    source_type = ContentType.objects.get_for_model(source) if source is not None else None
    if (
        source is not None
        and Contract.objects.filter(source_content_type=source_type, source_object_id=source.pk).exists()
    ):
        raise ContractRuleError("A contract has already been created from this award")
    contract = Contract.objects.create(
        reference=reference,
        title=title,
        scope=scope,
        kind=kind,
        supplier=supplier,
        lot=lot,
        buying_authority=buying_authority,
        start_on=start_on,
        initial_end_on=initial_end_on,
        current_end_on=initial_end_on,
        extension_notice_months=extension_notice_months,
        officer_manager=officer_manager,
        supplier_manager_name=supplier_manager_name,
        supplier_manager_email=supplier_manager_email,
        supplier_manager_user=supplier_manager_user,
        in_recommissioning_scope=in_recommissioning_scope,
        scope_note=scope_note,
        origin=origin,
        source_content_type=source_type,
        source_object_id=source.pk if source is not None else None,
    )
    contract.areas.set(list(areas))
    contract.consortium_members.set(list(consortium_members))
    for sequence, months in enumerate(extension_months, start=1):
        ExtensionOption.objects.create(contract=contract, sequence=sequence, months=months)
    if annual_value is not None:
        year_values = spread_annual_value(start_on, initial_end_on, _money(annual_value, field="annual_value"))
    for year, amount in (year_values or {}).items():
        _check_year_in_term(contract, year, field="annual_value")
        ContractYearValue.objects.create(
            contract=contract, financial_year=year, amount=_money(amount, field="annual_value")
        )
    record(
        "contracts.contract_created",
        by=by,
        obj=contract,
        data={
            "origin": origin,
            "supplier": supplier.legal_name,
            "buying_authority": buying_authority.name,
            "start_on": start_on,
            "initial_end_on": initial_end_on,
            "extension_months": list(extension_months),
            "total_value": _total_value(contract),
        },
    )
    _sync_notices(contract, by=by)
    return contract


# Fields an officer may edit at any time, and those fixed once the contract is live.
def _check_notice_months(months: int) -> None:
    """An extension is decided at most two years before the end (the officers' queue of contracts reaching a
    decision point looks no further back)."""
    if not 0 <= months <= LONGEST_NOTICE_MONTHS:
        raise ContractRuleError(
            f"Enter a notice period from 0 to {LONGEST_NOTICE_MONTHS} months", field="extension_notice_months"
        )


ALWAYS_EDITABLE = {
    "title",
    "lot",
    "officer_manager",
    "supplier_manager_name",
    "supplier_manager_email",
    "supplier_manager_user",
    "extension_notice_months",
    "in_recommissioning_scope",
    "scope_note",
}


DRAFT_ONLY = {"reference", "kind", "supplier", "buying_authority", "start_on", "initial_end_on", "scope"}


M2M_FIELDS = {"areas", "consortium_members"}


@transaction.atomic
def update_contract(*, by: User | None, contract: Contract, **changes: Any) -> Contract:
    """Change the contract's own details. Terms (dates, supplier, scope) are fixed once it is live:
    they change only by a variation or an extension."""
    contract = _locked(contract)
    lot_before = contract.lot_id
    unknown = set(changes) - ALWAYS_EDITABLE - DRAFT_ONLY - M2M_FIELDS
    if unknown:
        raise ContractRuleError(f"These fields are changed by the lifecycle, not edited: {sorted(unknown)}")
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, value in changes.items():
        if name in M2M_FIELDS:
            current = set(getattr(contract, name).all())
            if current != set(value):
                before[name] = sorted(str(v) for v in current)
                after[name] = sorted(str(v) for v in value)
            continue
        old = getattr(contract, name)
        if old == value:
            continue
        if name in DRAFT_ONLY and not contract.is_draft:
            raise ContractRuleError(
                "This contract is live: change its terms by recording a variation or exercising an extension",
                field=name,
            )
        before[name], after[name] = _plain(old), _plain(value)
    if (
        "reference" in after
        and Contract.objects.filter(reference=changes["reference"]).exclude(pk=contract.pk).exists()
    ):
        raise ContractRuleError(f"A contract with reference {changes['reference']} already exists", field="reference")
    for name in after:
        if name in M2M_FIELDS:
            getattr(contract, name).set(list(changes[name]))
        else:
            setattr(contract, name, changes[name])
    if contract.initial_end_on <= contract.start_on:
        raise ContractRuleError("The initial end date must be after the start date", field="initial_end_on")
    _check_notice_months(contract.extension_notice_months)
    if contract.is_draft:
        contract.current_end_on = contract.initial_end_on
    if after:
        contract.save()
        record("contracts.contract_updated", by=by, obj=contract, data={"before": before, "after": after})
        if not contract.is_draft and after.keys() & {"lot", "areas"}:  # a live contract moved
            coverage_tallies.recount([lot_before, contract.lot_id])
        if not contract.is_draft and "extension_notice_months" in after:
            decision_points.store(contract)
    return contract


@transaction.atomic
def set_year_value(*, by: User | None, contract: Contract, financial_year: int, amount: Decimal) -> None:
    """Set a draft contract's value for one financial year. A live contract's values change by variation."""
    contract = _locked(contract)
    if not contract.is_draft:
        raise ContractRuleError("This contract is live: change a year's value by recording a variation")
    _check_year_in_term(contract, financial_year, field="financial_year")
    amount = _money(amount, field="amount")
    row, created = ContractYearValue.objects.update_or_create(
        contract=contract, financial_year=financial_year, defaults={"amount": amount}
    )
    record(
        "contracts.year_value_set",
        by=by,
        obj=contract,
        data={"financial_year": financial_year, "amount": amount, "created": created},
    )


@transaction.atomic
def set_funding(
    *, by: User | None, contract: Contract, stream: FundingStream, financial_year: int, amount: Decimal
) -> ContractFunding:
    """Record how much of a year's value a funding stream pays (0 removes the row)."""
    _check_year_in_term(contract, financial_year, field="financial_year")
    amount = _money(amount, field="amount")
    if amount == 0:
        ContractFunding.objects.filter(contract=contract, stream=stream, financial_year=financial_year).delete()
        row = ContractFunding(contract=contract, stream=stream, financial_year=financial_year, amount=amount)
    else:
        row, _ = ContractFunding.objects.update_or_create(
            contract=contract, stream=stream, financial_year=financial_year, defaults={"amount": amount}
        )
    record(
        "contracts.funding_set",
        by=by,
        obj=contract,
        data={"stream": stream.name, "financial_year": financial_year, "amount": amount},
    )
    return row


# Parts edited in the admin's inlines go through here so that the same rules and audit apply.
DRAFT_ONLY_PARTS = (ExtensionOption, ContractYearValue)


@transaction.atomic
def save_contract_part(*, by: User | None, contract: Contract, part: models.Model, delete: bool = False) -> None:
    """Save or delete one part of a contract edited in the admin (options, values, funding,
    social value commitments, meetings, actions, milestones)."""
    contract = _locked(contract)
    if isinstance(part, DRAFT_ONLY_PARTS) and not contract.is_draft:
        raise ContractRuleError(
            "This contract is live: its values and extension options change only by a variation or an extension"
        )
    if isinstance(part, ContractYearValue | ContractFunding) and not delete:
        _check_year_in_term(contract, part.financial_year, field="financial_year")
    if isinstance(part, SocialValueCommitment) and part.proposal.is_accepted and not contract.is_draft:
        raise ContractRuleError("The accepted Social Value Proposal of a live contract cannot be changed")
    label = part._meta.verbose_name
    if delete:
        data = {"part": label, "deleted": str(part), "before": snapshot(part)}
        part.delete()
    else:
        created = part.pk is None
        before = stored_snapshot(part)
        part.full_clean()
        part.save()
        changes = differences(before, snapshot(part))
        if not (created or changes):
            return
        data = {"part": label, "saved": str(part), "created": created, "changes": changes}
    record("contracts.contract_part_changed", by=by, obj=contract, data=data)
    if isinstance(part, SocialValueCommitment):
        events.send(SOCIAL_VALUE_CHANGED, contract_id=contract.pk, by_id=_id(by))
