"""Changes to a contract in force: extensions (with the value of each added year), variations, termination, its end."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from commissioning import events
from commissioning.audit import record
from commissioning.dates import financial_year_label
from commissioning.models import AuditEvent, User

from .. import whole_life
from ..events import (
    CONTRACT_ENDED,
    CONTRACT_TERMINATED,
    EXTENSION_EXERCISED,
    VARIATION_RECORDED,
)
from ..models import (
    ZERO,
    Contract,
    ContractYearValue,
    Extension,
    ExtensionOption,
    Variation,
    extended_end,
    long_date,
)
from ..year_values import apply_values, proposed_values, read_values
from .common import (
    ContractRuleError,
    _check_year_in_term,
    _has_accepted_social_value,
    _id,
    _locked,
    _money,
    _sync_notices,
    _today,
    _total_value,
    dates_changed,
    social_value_required,
)
from .meetings import _extend_schedule, _trim_schedule


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
    dates_changed(contract)
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
    if kind == Variation.Kind.END_DATE:
        dates_changed(contract)
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
    dates_changed(contract)
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
