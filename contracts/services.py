"""Every write to the contracts register.

Each function is keyword-only, takes the acting user as `by=`, checks the rule, runs in a transaction,
and writes an audit event against the contract. Illegal moves raise `ContractRuleError`, a
`ValidationError` whose messages are keyed by the form field they concern (or `__all__`), so a view
can show them next to the field and in the error summary.

The award stage (built separately) creates a contract by calling `create_contract(...)` with
`origin=Contract.Origin.AWARD` (or `DIRECT_AWARD`) and `source=<the award>`; a source can create only
one contract.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Sum
from django.utils import timezone

from commissioning import events
from commissioning.audit import record
from commissioning.changes import differences, snapshot, stored_snapshot
from commissioning.dates import Quarter, financial_year_label, financial_year_of
from commissioning.errors import RuleError
from commissioning.models import Area, AuditEvent, Authority, FundingStream, User
from commissioning.rules import is_established, reads_for_authority
from frameworks.models import Lot
from frameworks.services import IMPORT_BATCH, ImportRowsError, bulk_history, chunked
from suppliers.models import Supplier

from . import whole_life
from .events import (
    CONTRACT_ENDED,
    CONTRACT_TERMINATED,
    CONTRACT_WENT_LIVE,
    EXTENSION_EXERCISED,
    SOCIAL_VALUE_CHANGED,
    VARIATION_RECORDED,
)
from .models import (
    ZERO,
    Contract,
    ContractFunding,
    ContractMeeting,
    ContractYearValue,
    Extension,
    ExtensionOption,
    MeetingAction,
    Milestone,
    SocialValueCommitment,
    SocialValueProposal,
    Variation,
    extended_end,
    long_date,
)
from .year_values import apply_values, proposed_values, read_values

PENNY = Decimal("0.01")


class ContractRuleError(RuleError):
    """A contract rule refused the move. Messages are keyed by form field where one applies."""


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _id(user: User | None) -> int | None:
    return user.pk if user is not None else None


def _money(value: Any, *, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(PENNY, rounding=ROUND_HALF_UP)
    except Exception as exc:  # noqa: BLE001 - any unparsable input is the same user error
        raise ContractRuleError("Enter an amount in pounds, like 296973.00", field=field) from exc
    if amount < 0:
        raise ContractRuleError("The amount cannot be negative", field=field)
    if amount >= Decimal("10000000000"):
        raise ContractRuleError("The amount must be less than £10,000,000,000", field=field)
    return amount


def _locked(contract: Contract) -> Contract:
    """Re-read the contract with a row lock so two officers cannot make conflicting moves."""
    return Contract.objects.select_for_update().get(pk=contract.pk)


def _total_value(contract: Contract) -> Decimal:
    total = ContractYearValue.objects.filter(contract=contract).aggregate(total=Sum("amount"))["total"] or ZERO
    return Decimal(total).quantize(PENNY)


def _sync_notices(record_: models.Model, *, by: User | None) -> None:
    """The Procurement Act notices the record now needs (`contracts.notices`)."""
    from .notices.services import sync_notices

    sync_notices(record_, by=by)


def _has_accepted_social_value(contract: Contract) -> bool:
    return SocialValueProposal.objects.filter(contract=contract, accepted_at__isnull=False).exists()


def social_value_required(kind: str, total_value: Decimal) -> bool:
    """A contract (not a grant agreement) whose whole-life value is over the threshold needs an accepted
    Social Value Proposal.

    The threshold compares the whole-life value (`contracts.whole_life`): every financial year's value and
    every extension option, excluding VAT. Seed 000 requires a proposal for "any contract awarded over
    £100,000.00", the value awarded, so neither a year's share (a three-year £60,000-a-year contract,
    £180,000 in all) nor the initial term alone (£30,000 a year for 3 + 1 + 1 years, £150,000) may escape
    it. Grant agreements are not procurement awards, where social value is scored and moderated, so the
    rule does not apply to them.
    """
    return kind == Contract.Kind.CONTRACT and total_value > settings.SOCIAL_VALUE_THRESHOLD


def spread_annual_value(start: date, end: date, annual: Decimal) -> dict[int, Decimal]:
    """Spread an annual value over the financial years a term touches, pro rata by day.

    A whole financial year gets exactly the annual value; a part year gets its share of the days.
    """
    values: dict[int, Decimal] = {}
    for year in range(financial_year_of(start), financial_year_of(end) + 1):
        fy_start, fy_end = date(year, 4, 1), date(year + 1, 3, 31)
        first, last = max(start, fy_start), min(end, fy_end)
        covered = (last - first).days + 1
        whole = (fy_end - fy_start).days + 1
        share = annual if covered == whole else annual * covered / whole
        values[year] = Decimal(share).quantize(PENNY, rounding=ROUND_HALF_UP)
    return values


# Creating and editing ---------------------------------------------------------------------------------


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
    if contract.is_draft:
        contract.current_end_on = contract.initial_end_on
    if after:
        contract.save()
        record("contracts.contract_updated", by=by, obj=contract, data={"before": before, "after": after})
    return contract


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    return value


def _check_year_in_term(contract: Contract, year: int, *, field: str) -> None:
    """A value or funding row must fall in the term, counting the extension options not yet used."""
    if year not in contract.potential_financial_years:
        raise ContractRuleError(
            f"{financial_year_label(year)} is outside the contract's term, including its extension options "
            f"({long_date(contract.start_on)} to {long_date(contract.furthest_end_on)})",
            field=field,
        )


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


# Lifecycle --------------------------------------------------------------------------------------------


def needs_second_officer(contract: Contract) -> bool:
    """A contract that no award or direct award produced (entered or imported) goes live only when a
    second, different, established officer confirms what a first one proposed. A grant agreement made from
    an awarded grant application (its terms and payment schedule) was produced by that decision."""
    if contract.origin in (Contract.Origin.AWARD, Contract.Origin.DIRECT_AWARD) and contract.source_object_id:
        return False
    if contract.kind == Contract.Kind.GRANT:
        from .grants.models import GrantTerms

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
    contract.live_proposed_at = timezone.now()
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
    contract.activated_at = timezone.now()
    contract.activated_by = by
    contract.save()
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


def proposed_extension_values(contract: Contract, option: ExtensionOption) -> dict[int, Decimal]:
    """The values the extension form offers for each financial year the option adds (editable)."""
    return proposed_values(contract, option)


def _refuse_unless_in_force(contract: Contract, what: str) -> None:
    if contract.is_draft:
        raise ContractRuleError(f"A draft contract cannot {what}: edit its terms directly, or make it live first")
    if contract.terminated_on is not None:
        raise ContractRuleError(f"This contract was terminated on {long_date(contract.terminated_on)}")


@transaction.atomic
def exercise_extension(
    *,
    by: User,
    contract: Contract,
    reason: str,
    decided_on: date | None = None,
    option: ExtensionOption | None = None,
    year_values: Mapping[int, Any] | None = None,
    today: date | None = None,
) -> Extension:
    """Exercise the next extension option: moves the current end date, sets the value of each financial
    year the extension adds (`year_values`, keyed by financial year; without it each added year continues
    at the last year's value) and records who, when and why, with each change of value.

    Refused for a draft or terminated contract, after the current end date, for an option already
    exercised, out of order (option 2 before option 1), and for a missing or invalid year's value.
    """
    today = _today(today)
    decided_on = decided_on or today
    contract = _locked(contract)
    _refuse_unless_in_force(contract, "be extended")
    if not reason.strip():
        raise ContractRuleError("Enter why the extension is being exercised", field="reason")
    if decided_on > today:
        raise ContractRuleError("The decision date must be today or in the past", field="decided_on")
    if decided_on > contract.current_end_on or today > contract.current_end_on:
        raise ContractRuleError(
            f"An option cannot be exercised after the current end date, {long_date(contract.current_end_on)}",
            field="decided_on",
        )
    options = list(contract.extension_options.select_related("exercised").order_by("sequence"))
    pending = [o for o in options if not hasattr(o, "exercised")]
    if option is not None:
        option = next((o for o in options if o.pk == option.pk), None)
        if option is None:
            raise ContractRuleError("That extension option does not belong to this contract")
        if hasattr(option, "exercised"):
            raise ContractRuleError(
                f"Option {option.sequence} was already exercised on {long_date(option.exercised.decided_on)}"
            )
        if pending and option != pending[0]:
            raise ContractRuleError(
                f"Options are exercised in order: exercise option {pending[0].sequence} before option {option.sequence}"
            )
    elif not pending:
        raise ContractRuleError("This contract has no extension option left to exercise")
    else:
        option = pending[0]
    values = read_values(contract, option, year_values, error=ContractRuleError)
    total_before = _total_value(contract)
    end_before = contract.current_end_on
    end_after = extended_end(end_before, option.months)
    extension = Extension.objects.create(
        contract=contract,
        option=option,
        decided_on=decided_on,
        decided_by=by,
        reason=reason.strip(),
        end_before=end_before,
        end_after=end_after,
    )
    contract.current_end_on = end_after
    contract._change_reason = f"Extension option {option.sequence} exercised"
    contract.save()
    changes = apply_values(
        by=by, contract=contract, values=values, cause=f"Extension option {option.sequence} exercised"
    )
    added = _extend_schedule(contract)
    record(
        "contracts.extension_exercised",
        by=by,
        obj=contract,
        data={
            "option": option.sequence,
            "months": option.months,
            "decided_on": decided_on,
            "reason": extension.reason,
            "end_before": end_before,
            "end_after": end_after,
            "meetings_added": added,
            "values": changes,
            "total_before": total_before,
            "total_after": _total_value(contract),
        },
    )
    events.send(
        EXTENSION_EXERCISED,
        contract_id=contract.pk,
        by_id=_id(by),
        option=option.sequence,
        end_before=end_before,
        end_after=end_after,
    )
    _sync_notices(contract, by=by)
    return extension


@transaction.atomic
def record_variation(
    *,
    by: User,
    contract: Contract,
    kind: str,
    reason: str,
    approver: str,
    approved_on: date,
    financial_year: int | None = None,
    new_value: Decimal | None = None,
    new_end: date | None = None,
    new_scope: str = "",
    today: date | None = None,
) -> Variation:
    """Record a variation to a financial year's value, the end date or the scope, keeping the values
    before and after."""
    today = _today(today)
    contract = _locked(contract)
    _refuse_unless_in_force(contract, "be varied")
    if not reason.strip():
        raise ContractRuleError("Enter the reason for the variation", field="reason")
    if not approver.strip():
        raise ContractRuleError("Enter who approved the variation", field="approver")
    if approved_on > today:
        raise ContractRuleError("The approval date must be today or in the past", field="approved_on")
    if approved_on > contract.current_end_on:
        raise ContractRuleError(
            f"The contract ended on {long_date(contract.current_end_on)}: it cannot be varied after its end",
            field="approved_on",
        )
    variation = Variation(
        contract=contract,
        kind=kind,
        reason=reason.strip(),
        approver=approver.strip(),
        approved_on=approved_on,
        recorded_by=by,
    )
    if kind == Variation.Kind.VALUE:
        _vary_value(contract, variation, financial_year, new_value)
    elif kind == Variation.Kind.END_DATE:
        _vary_end(contract, variation, new_end, approved_on)
    elif kind == Variation.Kind.SCOPE:
        if not new_scope.strip():
            raise ContractRuleError("Enter the new scope of the service", field="new_scope")
        if new_scope.strip() == contract.scope.strip():
            raise ContractRuleError("The new scope is the same as the current scope", field="new_scope")
        variation.scope_before, variation.scope_after = contract.scope, new_scope.strip()
        contract.scope = variation.scope_after
    else:
        raise ContractRuleError("Select what the variation changes", field="kind")
    variation.save()
    contract._change_reason = f"Variation: {variation.get_kind_display()}"
    contract.save()
    record(
        "contracts.variation_recorded",
        by=by,
        obj=contract,
        data={
            "kind": kind,
            "reason": variation.reason,
            "approver": variation.approver,
            "approved_on": approved_on,
            "financial_year": variation.financial_year,
            "value_before": variation.value_before,
            "value_after": variation.value_after,
            "end_before": variation.end_before,
            "end_after": variation.end_after,
            "scope_before": variation.scope_before,
            "scope_after": variation.scope_after,
        },
    )
    events.send(VARIATION_RECORDED, contract_id=contract.pk, by_id=_id(by), variation_id=variation.pk, kind=kind)
    _sync_notices(variation, by=by)
    _sync_notices(contract, by=by)
    return variation


def _vary_value(contract: Contract, variation: Variation, financial_year: int | None, new_value: Any) -> None:
    if financial_year is None:
        raise ContractRuleError("Select the financial year whose value changes", field="financial_year")
    _check_year_in_term(contract, financial_year, field="financial_year")
    if new_value is None or new_value == "":
        raise ContractRuleError("Enter the new value for the year", field="new_value")
    new_value = _money(new_value, field="new_value")
    row = ContractYearValue.objects.filter(contract=contract, financial_year=financial_year).first()
    before = row.amount if row else ZERO
    if new_value == before:
        raise ContractRuleError(
            f"The value for {financial_year_label(financial_year)} is already £{before:,.2f}", field="new_value"
        )
    new_total = whole_life.of_contract(contract, recorded_total=_total_value(contract) - before + new_value).amount
    if social_value_required(contract.kind, new_total) and not _has_accepted_social_value(contract):
        raise ContractRuleError(
            f"This would take the whole-life contract value to £{new_total:,.2f} (excluding VAT), over "
            f"£{settings.SOCIAL_VALUE_THRESHOLD:,.2f}: accept a Social Value Proposal first",
            field="new_value",
        )
    ContractYearValue.objects.update_or_create(
        contract=contract, financial_year=financial_year, defaults={"amount": new_value}
    )
    variation.financial_year = financial_year
    variation.value_before, variation.value_after = before, new_value


def _vary_end(contract: Contract, variation: Variation, new_end: date | None, approved_on: date) -> None:
    if new_end is None:
        raise ContractRuleError("Enter the new end date", field="new_end")
    if new_end <= contract.start_on:
        raise ContractRuleError("The new end date must be after the start date", field="new_end")
    if new_end == contract.current_end_on:
        raise ContractRuleError("The new end date is the same as the current end date", field="new_end")
    if new_end < approved_on:
        raise ContractRuleError("The new end date cannot be before the variation was approved", field="new_end")
    variation.end_before, variation.end_after = contract.current_end_on, new_end
    contract.current_end_on = new_end
    if new_end < variation.end_before:
        _trim_schedule(contract, after=new_end)
    else:
        _extend_schedule(contract)


@transaction.atomic
def terminate_contract(
    *, by: User, contract: Contract, terminated_on: date, reason: str, today: date | None = None
) -> Contract:
    """End a live contract early. `terminated_on` is its last day of service."""
    contract = _locked(contract)
    _refuse_unless_in_force(contract, "be terminated")
    if not reason.strip():
        raise ContractRuleError("Enter the reason for terminating the contract", field="reason")
    if terminated_on < contract.start_on or terminated_on > contract.current_end_on:
        raise ContractRuleError(
            f"The last day must be between the start date, {long_date(contract.start_on)}, and the current "
            f"end date, {long_date(contract.current_end_on)}",
            field="terminated_on",
        )
    contract.terminated_on = terminated_on
    contract.termination_reason = reason.strip()
    contract.terminated_by = by
    contract.terminated_at = timezone.now()
    contract._change_reason = "Terminated"
    contract.save()
    _trim_schedule(contract, after=terminated_on)
    record(
        "contracts.contract_terminated",
        by=by,
        obj=contract,
        data={"terminated_on": terminated_on, "reason": contract.termination_reason},
    )
    events.send(CONTRACT_TERMINATED, contract_id=contract.pk, by_id=_id(by), terminated_on=terminated_on)
    _sync_notices(contract, by=by)
    return contract


@transaction.atomic
def record_contract_ends(*, today: date | None = None) -> list[Contract]:
    """Tell the other apps about each live contract whose term has run out (its current end date is
    past and it was not terminated). Once per contract, whatever the number of runs: its audit event
    `contracts.contract_ended` is the record. Run daily by `contracts.record_contract_ends`."""
    today = _today(today)
    contract_type = ContentType.objects.get_for_model(Contract)
    told = AuditEvent.objects.filter(action="contracts.contract_ended", content_type=contract_type).values_list(
        "object_id", flat=True
    )
    ended = list(
        Contract.objects.select_for_update()
        .filter(activated_at__isnull=False, terminated_on__isnull=True, current_end_on__lt=today)
        .exclude(pk__in=[int(pk) for pk in told])
        .order_by("pk")
    )
    for contract in ended:
        record("contracts.contract_ended", by=None, obj=contract, data={"ended_on": contract.current_end_on})
        events.send(CONTRACT_ENDED, contract_id=contract.pk, ended_on=contract.current_end_on)
    return ended


@transaction.atomic
def set_recommissioning_scope(*, by: User, contract: Contract, in_scope: bool, note: str = "") -> Contract:
    """Mark the service in or out of scope for recommissioning (out of scope needs a reason)."""
    contract = _locked(contract)
    if not in_scope and not note.strip():
        raise ContractRuleError("Enter why the service is out of scope", field="scope_note")
    before = {"in_scope": contract.in_recommissioning_scope, "note": contract.scope_note}
    contract.in_recommissioning_scope = in_scope
    contract.scope_note = "" if in_scope else note.strip()
    contract.save()
    record(
        "contracts.recommissioning_scope_set",
        by=by,
        obj=contract,
        data={"before": before, "after": {"in_scope": in_scope, "note": contract.scope_note}},
    )
    return contract


# Social value -----------------------------------------------------------------------------------------


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


# Meetings and actions ---------------------------------------------------------------------------------


def meeting_date_for(quarter: Quarter) -> date:
    """Quarterly meetings fall on the 15th of the quarter's middle month (after the previous quarter's
    return is due), moved to the Monday if that is a weekend."""
    day = date(quarter.start.year, quarter.start.month, 1)
    month = day.month + 1
    day = date(day.year + (1 if month > 12 else 0), (month - 1) % 12 + 1, 15)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _extend_schedule(contract: Contract) -> int:
    """Add quarterly meetings for the new part of the term, if the contract has a schedule."""
    if not contract.meetings.filter(quarter__isnull=False).exists():
        return 0
    return len(_schedule(contract))


def _schedule(contract: Contract) -> list[ContractMeeting]:
    existing = set(contract.meetings.filter(quarter__isnull=False).values_list("financial_year", "quarter"))
    created = []
    quarter = Quarter.containing(contract.start_on)
    last = Quarter.containing(contract.effective_end_on)
    while quarter <= last:
        held_on = meeting_date_for(quarter)
        if (
            contract.start_on <= held_on <= contract.effective_end_on
            and (quarter.financial_year, quarter.number) not in existing
        ):
            created.append(
                ContractMeeting.objects.create(
                    contract=contract,
                    held_on=held_on,
                    financial_year=quarter.financial_year,
                    quarter=quarter.number,
                )
            )
        quarter = quarter.next()
    return created


def _trim_schedule(contract: Contract, *, after: date) -> int:
    """Remove scheduled meetings after a new, earlier end that have no notes, attendees or actions."""
    empty = contract.meetings.filter(
        quarter__isnull=False, held_on__gt=after, notes="", attendees="", actions__isnull=True
    )
    count = empty.count()
    ContractMeeting.objects.filter(pk__in=list(empty.values_list("pk", flat=True))).delete()
    return count


@transaction.atomic
def schedule_meetings(*, by: User, contract: Contract) -> list[ContractMeeting]:
    """Generate one contract meeting per financial quarter over the term. Safe to run again: it only
    adds the quarters that have no meeting yet."""
    contract = _locked(contract)
    if contract.terminated_on is not None and contract.terminated_on < contract.start_on:
        raise ContractRuleError("A contract terminated before it started has no meetings")
    created = _schedule(contract)
    record(
        "contracts.meetings_scheduled",
        by=by,
        obj=contract,
        data={"created": [m.held_on for m in created]},
    )
    return created


@transaction.atomic
def record_meeting(
    *, by: User, meeting: ContractMeeting, attendees: str, notes: str, held_on: date | None = None
) -> ContractMeeting:
    meeting.attendees = attendees
    meeting.notes = notes
    if held_on is not None:
        meeting.held_on = held_on
    meeting.save()
    record(
        "contracts.meeting_recorded",
        by=by,
        obj=meeting.contract,
        data={"meeting": meeting.pk, "held_on": meeting.held_on, "attendees": attendees},
    )
    return meeting


@transaction.atomic
def add_meeting_action(
    *, by: User, meeting: ContractMeeting, description: str, owner: str, due_on: date | None = None
) -> MeetingAction:
    if not description.strip():
        raise ContractRuleError("Enter the action", field="description")
    if not owner.strip():
        raise ContractRuleError("Enter who owns the action", field="owner")
    action = MeetingAction.objects.create(
        meeting=meeting, description=description.strip(), owner=owner.strip(), due_on=due_on
    )
    record(
        "contracts.meeting_action_added",
        by=by,
        obj=meeting.contract,
        data={"meeting": meeting.pk, "action": action.description, "owner": action.owner, "due_on": due_on},
    )
    return action


@transaction.atomic
def complete_action(*, by: User, action: MeetingAction) -> MeetingAction:
    """Mark a meeting action done: an officer, or a user of the contract's supplier."""
    action = MeetingAction.objects.select_for_update().select_related("meeting__contract").get(pk=action.pk)
    contract = action.meeting.contract
    if not by.has_perm("contracts.complete_action", action):
        raise ContractRuleError("Only the commissioner or the contract's provider can complete this action")
    if action.is_done:
        raise ContractRuleError(
            f"This action was already marked done on {long_date(timezone.localdate(action.done_at))}"
        )
    action.done_at = timezone.now()
    action.done_by = by
    action.save()
    record(
        "contracts.meeting_action_done",
        by=by,
        obj=contract,
        data={"meeting": action.meeting_id, "action": action.description},
    )
    return action


# Recommissioning milestones ---------------------------------------------------------------------------


@transaction.atomic
def add_milestone(*, by: User | None, contract: Contract, name: str, due_on: date) -> Milestone:
    if not name.strip():
        raise ContractRuleError("Enter the milestone", field="name")
    milestone = Milestone.objects.create(contract=contract, name=name.strip(), due_on=due_on)
    record("contracts.milestone_added", by=by, obj=contract, data={"name": milestone.name, "due_on": due_on})
    return milestone


@transaction.atomic
def complete_milestone(
    *, by: User, milestone: Milestone, done_on: date | None = None, today: date | None = None
) -> Milestone:
    done_on = done_on or _today(today)
    if milestone.is_done:
        raise ContractRuleError("This milestone is already done")
    milestone.done_on = done_on
    milestone.save()
    record(
        "contracts.milestone_done",
        by=by,
        obj=milestone.contract,
        data={"name": milestone.name, "done_on": done_on},
    )
    return milestone


# Importing an existing register -----------------------------------------------------------------------

IMPORT_CHANGE_REASON = "Imported from an existing register"
# What a row of an existing register may change on a draft contract already in the portal.
IMPORTED_TERMS = ("title", "kind", "supplier", "buying_authority", "start_on", "initial_end_on")


@dataclass(frozen=True)
class ImportedContract:
    """One row of an existing contracts register, already read from the spreadsheet (see
    `resources.ContractResource`)."""

    number: int  # the row's number in the file, to put an error against it
    reference: str
    title: str
    kind: str
    supplier: Supplier
    buying_authority: Authority
    start_on: date
    initial_end_on: date
    extension_months: tuple[int, ...] = ()
    annual_value: Decimal | None = None


@dataclass
class ContractImport:
    """What `import_contracts` saved: the contract of each row (by row number), created or updated."""

    contracts: dict[int, Contract] = dataclasses.field(default_factory=dict)
    created: list[Contract] = dataclasses.field(default_factory=list)
    updated: list[Contract] = dataclasses.field(default_factory=list)


class ContractImportError(ImportRowsError):
    """Rows of an imported register that break a contract rule, by row number. Nothing is saved."""


def _year_values_in_term(
    start_on: date, initial_end_on: date, extension_months: Sequence[int], annual: Decimal
) -> dict[int, Decimal]:
    """`spread_annual_value` with the checks `create_contract` makes on each year's value, in memory:
    each year inside the term counting its extension options, each amount a valid sum of money."""
    furthest = initial_end_on
    for months in extension_months:
        furthest = extended_end(furthest, months)
    term = range(financial_year_of(start_on), financial_year_of(furthest) + 1)
    values = spread_annual_value(start_on, initial_end_on, annual)
    for year in values:
        if year not in term:
            raise ContractRuleError(
                f"{financial_year_label(year)} is outside the contract's term, including its extension options "
                f"({long_date(start_on)} to {long_date(furthest)})",
                field="annual_value",
            )
    return {year: _money(amount, field="annual_value") for year, amount in values.items()}


def check_imported_contract(
    row: ImportedContract, *, existing: Contract | None, earlier: Mapping[str, int]
) -> dict[int, Decimal]:
    """The rules `create_contract` (a new reference) or `update_contract` (an existing draft) apply to a
    row of an imported register, checked in memory so a preview can put each error against its row.

    `existing` is the contract with the row's reference, if any (with its extension options
    prefetched); `earlier` maps the references of the rows before it to their row numbers. Returns
    the values per financial year the row sets (none without an annual value); raises
    `ContractRuleError`.
    """
    if existing is not None and not existing.is_draft:
        raise ContractRuleError(
            f"{row.reference} is live: change it by recording a variation, not by import", field="reference"
        )
    if row.reference in earlier:
        raise ContractRuleError(
            f"Row {earlier[row.reference]} already has the reference {row.reference}: give each contract once",
            field="reference",
        )
    if row.initial_end_on <= row.start_on:
        raise ContractRuleError("The initial end date must be after the start date", field="initial_end_on")
    if any(months < 1 for months in row.extension_months):
        raise ContractRuleError("An extension option must be at least 1 month", field="extension_months")
    if row.annual_value is None:
        return {}
    annual = _money(row.annual_value, field="annual_value")
    # A new contract gets the row's options; an existing draft keeps its own (as `update_contract`).
    options = row.extension_months if existing is None else [o.months for o in existing.extension_options.all()]
    return _year_values_in_term(row.start_on, row.initial_end_on, options, annual)


@transaction.atomic
def import_contracts(*, by: User | None, rows: Sequence[ImportedContract]) -> ContractImport:
    """Create draft contracts (origin "imported") from an existing register, and update the drafts
    already in the portal with the same references: all rows or none, with one audit event.

    A new contract gets its extension options and its annual value spread over the financial years of
    its initial term, as `create_contract` gives them; an existing draft gets its terms changed and the
    values of those years set, as `update_contract` and `set_year_value` change them (its extension
    options stay). A live contract is refused: it changes by variation.

    Why a bulk service: `create_contract` per row cost about a dozen queries and an audit event, so a
    10,000-row register took minutes. Here the same rules are checked in memory
    (`check_imported_contract`) and the rows are written with a handful of bulk statements; each
    contract still gets its history record.
    """
    references = [row.reference for row in rows]
    existing = {
        contract.reference: contract
        for batch in chunked(dict.fromkeys(references))
        for contract in Contract.objects.select_for_update(of=("self",))
        .filter(reference__in=batch)
        .select_related("supplier", "buying_authority")
        .prefetch_related("extension_options")
    }
    errors: dict[int, ValidationError] = {}
    earlier: dict[str, int] = {}
    year_values: dict[int, dict[int, Decimal]] = {}
    for row in rows:
        try:
            year_values[row.number] = check_imported_contract(
                row, existing=existing.get(row.reference), earlier=earlier
            )
        except ContractRuleError as exc:
            errors[row.number] = exc
        earlier.setdefault(row.reference, row.number)
    if errors:
        raise ContractImportError(errors)

    outcome = ContractImport()
    new_rows = [row for row in rows if row.reference not in existing]
    outcome.created = Contract.objects.bulk_create(
        [
            Contract(
                reference=row.reference,
                title=row.title,
                kind=row.kind,
                supplier_id=row.supplier.pk,
                buying_authority_id=row.buying_authority.pk,
                start_on=row.start_on,
                initial_end_on=row.initial_end_on,
                current_end_on=row.initial_end_on,
                origin=Contract.Origin.IMPORTED,
            )
            for row in new_rows
        ],
        batch_size=IMPORT_BATCH,
    )
    outcome.contracts = dict(zip((row.number for row in new_rows), outcome.created, strict=True))
    ExtensionOption.objects.bulk_create(
        (
            ExtensionOption(contract_id=contract.pk, sequence=sequence, months=months)
            for row, contract in zip(new_rows, outcome.created, strict=True)
            for sequence, months in enumerate(row.extension_months, start=1)
        ),
        batch_size=IMPORT_BATCH,
    )
    ContractYearValue.objects.bulk_create(
        (
            ContractYearValue(contract_id=contract.pk, financial_year=year, amount=amount)
            for row, contract in zip(new_rows, outcome.created, strict=True)
            for year, amount in year_values[row.number].items()
        ),
        batch_size=IMPORT_BATCH,
    )
    bulk_history(Contract, outcome.created, by=by, reason=IMPORT_CHANGE_REASON)

    changes = _update_imported_drafts(
        [row for row in rows if row.reference in existing], existing, year_values, outcome, by=by
    )
    created_value = sum((sum(year_values[row.number].values(), ZERO) for row in new_rows), ZERO)
    record(
        "contracts.imported",
        by=by,
        data={
            "origin": Contract.Origin.IMPORTED,
            "rows": len(rows),
            "new": len(outcome.created),
            "updated": len(outcome.updated),
            "created_references": [contract.reference for contract in outcome.created],
            "updated_references": [contract.reference for contract in outcome.updated],
            "total_value_created": created_value,
            "changes": changes,
        },
    )
    return outcome


def _update_imported_drafts(
    rows: Sequence[ImportedContract],
    existing: Mapping[str, Contract],
    year_values: Mapping[int, Mapping[int, Decimal]],
    outcome: ContractImport,
    *,
    by: User | None,
) -> dict[str, dict[str, Any]]:
    """Apply import rows to existing drafts; returns what changed, by reference, for the audit event."""
    changes: dict[str, dict[str, Any]] = {}
    changed: list[Contract] = []
    now = timezone.now()
    for row in rows:
        contract = existing[row.reference]
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for name in IMPORTED_TERMS:
            old, new = getattr(contract, name), getattr(row, name)
            if old != new:
                before[name], after[name] = _plain(old), _plain(new)
                setattr(contract, name, new)
        if after or contract.current_end_on != contract.initial_end_on:
            contract.current_end_on = contract.initial_end_on
            contract.updated_at = now
            contract._change_reason = IMPORT_CHANGE_REASON
            changed.append(contract)
        if after:
            changes[row.reference] = {"before": before, "after": after}
        outcome.contracts[row.number] = contract
        outcome.updated.append(contract)
    Contract.objects.bulk_update(changed, [*IMPORTED_TERMS, "current_end_on", "updated_at"], batch_size=IMPORT_BATCH)
    bulk_history(Contract, changed, by=by, reason=IMPORT_CHANGE_REASON, update=True)

    # Year values: what `set_year_value` does for each financial year of the row's initial term.
    stored = {
        (value.contract_id, value.financial_year): value
        for batch in chunked(contract.pk for contract in outcome.updated)
        for value in ContractYearValue.objects.filter(contract_id__in=batch)
    }
    to_update: list[ContractYearValue] = []
    to_create: list[ContractYearValue] = []
    for row in rows:
        contract = existing[row.reference]
        for year, amount in year_values[row.number].items():
            value = stored.get((contract.pk, year))
            if value is None:
                to_create.append(ContractYearValue(contract=contract, financial_year=year, amount=amount))
            elif value.amount != amount:
                value.amount = amount
                to_update.append(value)
            else:
                continue
            changes.setdefault(row.reference, {}).setdefault("year_values", {})[year] = amount
    ContractYearValue.objects.bulk_create(to_create, batch_size=IMPORT_BATCH)
    ContractYearValue.objects.bulk_update(to_update, ["amount"], batch_size=IMPORT_BATCH)
    return changes
