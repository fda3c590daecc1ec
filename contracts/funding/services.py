"""Every write to funding streams and their allocations. Keyword-only, `by=` the acting officer, checked,
in a transaction, audited; refusals are `FundingRuleError`s keyed by form field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from commissioning.audit import record
from commissioning.changes import differences, snapshot
from commissioning.dates import financial_year_label
from commissioning.errors import RuleError
from commissioning.models import FundingAllocation, FundingStream, User

STREAM_FIELDS = ("name", "kind", "funder", "is_ring_fenced", "ring_fence_purpose", "notes")
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class FundingRuleError(RuleError):
    """A funding rule refused the change."""


def _authority_of(by: User):
    if by is None or by.role != "officer" or not by.authority_id:
        raise FundingRuleError("Only an officer of an authority can manage its funding")
    return by.authority


def _check_stream(stream: FundingStream, *, by: User) -> None:
    if stream.authority_id != by.authority_id:
        raise FundingRuleError("This funding stream is in another authority's budget")


def _clean(values: dict[str, Any], *, authority_id: int, exclude_pk: int | None = None) -> dict[str, Any]:
    cleaned = {name: values.get(name, "") for name in STREAM_FIELDS}
    cleaned["name"] = (cleaned["name"] or "").strip()
    cleaned["is_ring_fenced"] = bool(values.get("is_ring_fenced"))
    cleaned["ring_fence_purpose"] = (cleaned["ring_fence_purpose"] or "").strip()
    if not cleaned["name"]:
        raise FundingRuleError("Enter the name of the funding stream", field="name")
    if cleaned["kind"] not in FundingStream.Kind.values:
        raise FundingRuleError("Select the type of funding", field="kind")
    if cleaned["is_ring_fenced"] and not cleaned["ring_fence_purpose"]:
        raise FundingRuleError("Enter what the ring-fenced money may be spent on", field="ring_fence_purpose")
    if not cleaned["is_ring_fenced"]:
        cleaned["ring_fence_purpose"] = ""
    clash = FundingStream.objects.filter(authority_id=authority_id, name__iexact=cleaned["name"])
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise FundingRuleError("Your authority already has a funding stream with this name", field="name")
    return cleaned


@transaction.atomic
def create_stream(*, by: User, **values: Any) -> FundingStream:
    """Add a funding stream to the officer's authority's budget."""
    authority = _authority_of(by)
    stream = FundingStream.objects.create(authority=authority, **_clean(values, authority_id=authority.pk))
    record("funding.stream_created", by=by, obj=stream, data={"after": snapshot(stream)})
    return stream


@transaction.atomic
def update_stream(*, by: User, stream: FundingStream, **values: Any) -> FundingStream:
    _authority_of(by)
    stream = FundingStream.objects.select_for_update().get(pk=stream.pk)
    _check_stream(stream, by=by)
    before = snapshot(stream)
    for name, value in _clean(values, authority_id=stream.authority_id, exclude_pk=stream.pk).items():
        setattr(stream, name, value)
    changes = differences(before, snapshot(stream))
    if changes:
        stream.save()
        record("funding.stream_changed", by=by, obj=stream, data={"changes": changes})
    return stream


@transaction.atomic
def set_allocation(*, by: User, stream: FundingStream, financial_year: int, amount: Any) -> FundingAllocation:
    """Set what the stream provides in a financial year (a new year, or a change with before and after)."""
    from contracts.services import _money  # the one reading of an amount

    _authority_of(by)
    _check_stream(stream, by=by)
    if financial_year is None or not EARLIEST_YEAR <= int(financial_year) <= LATEST_YEAR:
        raise FundingRuleError("Select the financial year", field="financial_year")
    if amount is None or amount == "":
        raise FundingRuleError("Enter the amount allocated for the year", field="amount")
    amount = _money(amount, field="amount")
    row = FundingAllocation.objects.select_for_update().filter(stream=stream, financial_year=financial_year).first()
    before: Decimal | None = row.amount if row is not None else None
    if row is None:
        row = FundingAllocation.objects.create(stream=stream, financial_year=financial_year, amount=amount)
    elif before != amount:
        row.amount = amount
        row.save(update_fields=["amount"])
    if before != amount:
        record(
            "funding.allocation_set",
            by=by,
            obj=stream,
            data={"financial_year": financial_year_label(int(financial_year)), "before": before, "after": amount},
        )
    return row


# Co-commissioning ----------------------------------------------------------------------------------------


@transaction.atomic
def set_contribution(
    *,
    by: User | None,
    contract,
    authority,
    financial_year: int,
    amount: Any,
    stream: FundingStream | None = None,
):
    """Record what a contributing authority pays towards a contract or grant in a financial year (0 takes
    the authority off that year). Recorded by an officer of the lead commissioner (the buying authority);
    the year must be in the term (counting options not yet used), and the contributions of a year cannot
    exceed the year's value."""
    from contracts.models import Contract, ContractYearValue, Contribution
    from contracts.services import _check_year_in_term, _money

    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if by is not None:  # None: the system (the demo loader or an import), as `create_contract` allows
        _authority_of(by)
        if contract.buying_authority_id != by.authority_id:
            raise FundingRuleError("Only an officer of the lead commissioner records contributions")
    if authority is None:
        raise FundingRuleError("Select the contributing authority", field="authority")
    if authority.pk == contract.buying_authority_id:
        raise FundingRuleError(
            f"{authority.name} leads this contract: record its own funding, not a contribution", field="authority"
        )
    if financial_year is None:
        raise FundingRuleError("Select the financial year", field="financial_year")
    _check_year_in_term(contract, int(financial_year), field="financial_year")
    if amount is None or amount == "":
        raise FundingRuleError("Enter the contribution for the year", field="amount")
    amount = _money(amount, field="amount")
    if stream is not None and stream.authority_id != authority.pk:
        raise FundingRuleError("The funding stream must be in the contributing authority's budget", field="stream")
    row = Contribution.objects.filter(contract=contract, authority=authority, financial_year=financial_year).first()
    before = row.amount if row is not None else None
    others = (
        Contribution.objects.filter(contract=contract, financial_year=financial_year)
        .exclude(authority=authority)
        .values_list("amount", flat=True)
    )
    year_value = ContractYearValue.objects.filter(contract=contract, financial_year=financial_year).first()
    if year_value is not None and sum(others, Decimal(0)) + amount > year_value.amount:
        raise FundingRuleError(
            f"The contributions for {financial_year_label(int(financial_year))} would be more than the year's "
            f"value of £{year_value.amount:,.2f}",
            field="amount",
        )
    if amount == 0:
        if row is not None:
            row.delete()
        row = None
    elif row is None:
        row = Contribution.objects.create(
            contract=contract, authority=authority, financial_year=financial_year, amount=amount, stream=stream
        )
    else:
        row.amount, row.stream = amount, stream
        row.save(update_fields=["amount", "stream"])
    record(
        "contracts.contribution_set",
        by=by,
        obj=contract,
        data={
            "authority": authority.name,
            "financial_year": financial_year_label(int(financial_year)),
            "before": before,
            "after": amount,
            "stream": stream.name if stream is not None else "",
        },
    )
    return row
