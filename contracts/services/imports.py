"""Importing contracts from an existing register: checked row by row, then written as drafts."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from commissioning.audit import record
from commissioning.choices import forget_choices
from commissioning.dates import financial_year_label, financial_year_of
from commissioning.import_rows import check_each_row
from commissioning.models import Authority, User
from frameworks.services import IMPORT_BATCH, ImportRowsError, bulk_history, chunked
from suppliers.models import Supplier

from ..models import (
    ZERO,
    Contract,
    ContractYearValue,
    ExtensionOption,
    extended_end,
    long_date,
)
from .common import ContractRuleError, _money, _plain, spread_annual_value

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

    @property
    def key(self) -> str:
        """What one file gives once: the contract's reference."""
        return self.reference


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
    year_values: dict[int, dict[int, Decimal]] = check_each_row(
        rows,
        lambda row, earlier: check_imported_contract(row, existing=existing.get(row.reference), earlier=earlier),
        refused=ContractRuleError,
        error_class=ContractImportError,
    )

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
    forget_choices()  # bulk writes send no signal: the lists' filter choices may have changed
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
