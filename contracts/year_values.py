"""Money that follows a change of term: the financial years an extension adds, the values an officer is
offered for them, and writing each changed year's value with its before and after in the audit trail.

Called from `services.exercise_extension` inside its transaction; nothing here checks who acts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from commissioning.audit import record
from commissioning.dates import financial_year_label, financial_year_of
from commissioning.errors import RuleError
from commissioning.models import User

from .models import ZERO, Contract, ContractFunding, ContractYearValue, ExtensionOption, extended_end

PENNY = Decimal("0.01")
VALUE_CHANGED = "contracts.year_value_changed"


def field_name(year: int) -> str:
    """The form field (and error key) of one financial year's value: value_2028."""
    return f"value_{year}"


def extension_years(contract: Contract, option: ExtensionOption) -> list[int]:
    """The financial years the extension period touches (a part year already in the term included)."""
    first = contract.current_end_on + timedelta(days=1)
    last = extended_end(contract.current_end_on, option.months)
    return list(range(financial_year_of(first), financial_year_of(last) + 1))


def proposed_values(contract: Contract, option: ExtensionOption) -> dict[int, Decimal]:
    """What the form offers: a year already valued keeps its value, a new year the last year's value."""
    existing = dict(ContractYearValue.objects.filter(contract=contract).values_list("financial_year", "amount"))
    last = existing[max(existing)] if existing else ZERO
    return {year: Decimal(existing.get(year, last)).quantize(PENNY) for year in extension_years(contract, option)}


def read_values(
    contract: Contract, option: ExtensionOption, given: Mapping[int, Any] | None, *, error: type[RuleError]
) -> dict[int, Decimal]:
    """Each added year's value, checked; `None` continues every added year at the proposed value."""
    from .services import _money  # the one reading of an amount typed or passed in

    years = extension_years(contract, option)
    if given is None:
        return proposed_values(contract, option)
    for year in given:
        if year not in years:
            raise error(
                f"{financial_year_label(year)} is not a year the extension adds to the term", field=field_name(year)
            )
    values = {}
    for year in years:
        amount = given.get(year)
        if amount is None or amount == "":
            raise error(f"Enter the value for {financial_year_label(year)}", field=field_name(year))
        values[year] = _money(amount, field=field_name(year))
    return values


def _carry_funding(contract: Contract, year: int, amount: Decimal) -> None:
    """Fund a new year in the same shares as the last funded year before it (the last stream takes the
    rounding), so the envelope counts the added year; an officer can change the split afterwards."""
    previous = (
        ContractFunding.objects.filter(contract=contract, financial_year__lt=year)
        .order_by("-financial_year")
        .values_list("financial_year", flat=True)
        .first()
    )
    if previous is None or ContractFunding.objects.filter(contract=contract, financial_year=year).exists():
        return
    rows = list(ContractFunding.objects.filter(contract=contract, financial_year=previous).order_by("pk"))
    total = sum((row.amount for row in rows), ZERO)
    if total <= 0:
        return
    left = amount
    for index, row in enumerate(rows):
        share = left if index == len(rows) - 1 else (amount * row.amount / total).quantize(PENNY, ROUND_HALF_UP)
        left -= share
        if share > 0:
            ContractFunding.objects.create(contract=contract, stream=row.stream, financial_year=year, amount=share)


def apply_values(*, by: User | None, contract: Contract, values: Mapping[int, Decimal], cause: str) -> list[dict]:
    """Write each year's value; every change is an audit event with its before and after."""
    changes = []
    for year, amount in sorted(values.items()):
        row = ContractYearValue.objects.filter(contract=contract, financial_year=year).first()
        before = row.amount if row is not None else None
        if before is not None and before == amount:
            continue
        ContractYearValue.objects.update_or_create(contract=contract, financial_year=year, defaults={"amount": amount})
        if before is None:
            _carry_funding(contract, year, amount)
        change = {"financial_year": year, "before": before, "after": amount, "cause": cause}
        record(VALUE_CHANGED, by=by, obj=contract, data=change)
        changes.append(change)
    return changes
