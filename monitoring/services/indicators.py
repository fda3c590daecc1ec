"""A contract's performance indicators: from its lot's template and its social value commitments, with targets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import transaction

from commissioning.audit import record
from commissioning.dates import long_date
from commissioning.models import User
from contracts.models import Contract, SocialValueCommitment

from ..models import (
    ContractIndicator,
    Direction,
    Indicator,
    IndicatorFields,
    Kind,
    KPITemplate,
    Question,
    Unit,
)
from .common import ReturnRuleError, _require_officer


def template_for(contract: Contract) -> KPITemplate | None:
    """The lot's template; for a contract without a lot, the default template (if there is one)."""
    if contract.lot_id:
        return KPITemplate.objects.filter(lot_id=contract.lot_id).first()
    return KPITemplate.objects.filter(is_default=True).first()


def _copy(indicator: Indicator, contract: Contract) -> ContractIndicator:
    """The contract's own copy of a template indicator: every field the two share (`IndicatorFields`),
    and the template's default target as the contract's target."""
    shared = {field.name: getattr(indicator, field.name) for field in IndicatorFields._meta.fields}
    shared["breakdowns"] = list(indicator.breakdowns)  # a list of its own, not the template's
    return ContractIndicator(contract=contract, template_indicator=indicator, target=indicator.default_target, **shared)


def _social_value_unit(commitment: SocialValueCommitment) -> str:
    return Unit.MONEY if commitment.unit.strip().lower() in {"£", "gbp", "pounds"} else Unit.COUNT


def _from_commitment(commitment: SocialValueCommitment, contract: Contract, n: int) -> ContractIndicator:
    return ContractIndicator(
        contract=contract,
        commitment=commitment,
        order=1000 + n,
        code=f"SV{commitment.pk}",
        name=commitment.measure[:200],
        counted=commitment.unit[:100],
        guidance=f"Delivered in the quarter. The commitment is {commitment.target.normalize():f} {commitment.unit} "
        f"by {long_date(commitment.due_on)} ({commitment.get_theme_display()}).",
        question=Question.SOCIAL_VALUE,
        kind=Kind.OUTPUT,
        unit=_social_value_unit(commitment),
        direction=Direction.HIGHER,
        amber_margin=(commitment.target * Decimal("0.1")).quantize(Decimal("0.01")),
        target=commitment.target,
        target_due_on=commitment.due_on,
    )


def set_up_indicators(
    *, contract: Contract, by: User | None, template: KPITemplate | None = None
) -> list[ContractIndicator]:
    """Give the contract its indicator set: a copy of its template's indicators (default targets, which
    officers then change per contract) plus one indicator per social value commitment. Safe to call again:
    it adds only what is missing (for example a commitment recorded later).

    Called when monitoring hears that a contract went live or that its social value commitments changed
    (`handlers`), and by `manage.py set_up_indicators`; never by a page. The set is often complete
    already: that is checked first, in two queries and without a lock; only a set with something
    missing is locked and added to."""
    existing = list(ContractIndicator.objects.filter(contract=contract).order_by("order", "pk"))
    if _set_is_complete(contract, existing, template):
        return existing
    return _add_missing_indicators(contract=contract, by=by, template=template)


def set_up_missing_indicators(*, by: User | None = None) -> list[Contract]:
    """Give every live contract whatever its indicator set lacks: for contracts that went live before
    monitoring heard of it (an existing database) or whose `contract went live` handler failed.
    Idempotent; returns the contracts that were given something."""
    completed = []
    for contract in Contract.objects.filter(activated_at__isnull=False).order_by("pk"):
        before = ContractIndicator.objects.filter(contract=contract).count()
        if len(set_up_indicators(contract=contract, by=by)) != before:
            completed.append(contract)
    return completed


def _has_template_copy(indicators: Iterable[ContractIndicator]) -> bool:
    return any(i.template_indicator_id or not i.commitment_id for i in indicators)


def _set_is_complete(contract: Contract, existing: list[ContractIndicator], template: KPITemplate | None) -> bool:
    if not _has_template_copy(existing) and (template or template_for(contract)) is not None:
        return False
    covered = {i.commitment_id for i in existing if i.commitment_id}
    commitments = SocialValueCommitment.objects.filter(proposal__contract=contract).values_list("pk", flat=True)
    return set(commitments) <= covered


@transaction.atomic
def _add_missing_indicators(
    *, contract: Contract, by: User | None, template: KPITemplate | None
) -> list[ContractIndicator]:
    Contract.objects.select_for_update().filter(pk=contract.pk).first()  # one set-up at a time
    existing = list(ContractIndicator.objects.filter(contract=contract))
    added: list[ContractIndicator] = []
    has_template_copy = _has_template_copy(existing)
    template = template or template_for(contract)
    if template is not None and not has_template_copy:
        added += [_copy(indicator, contract) for indicator in template.indicators.all()]
    covered = {i.commitment_id for i in existing if i.commitment_id}
    commitments = SocialValueCommitment.objects.filter(proposal__contract=contract).order_by("due_on", "pk")
    for n, commitment in enumerate(commitments, start=1):
        if commitment.pk not in covered:
            added.append(_from_commitment(commitment, contract, n))
    if added:
        ContractIndicator.objects.bulk_create(added)
        record(
            "monitoring.indicators_set_up",
            by=by,
            obj=contract,
            data={
                "template": template.name if template is not None and not has_template_copy else "",
                "added": [i.code for i in added],
            },
        )
    return list(ContractIndicator.objects.filter(contract=contract).order_by("order", "pk"))


@transaction.atomic
def set_targets(
    *,
    contract: Contract,
    targets: Mapping[int, tuple[Decimal | None, Decimal]],
    by: User,
) -> list[ContractIndicator]:
    """Officers set the contract's own targets and amber margins: {indicator pk: (target, margin)}."""
    _require_officer(by, contract)
    indicators = {i.pk: i for i in ContractIndicator.objects.select_for_update().filter(contract=contract)}
    changes = {}
    for pk, (target, margin) in targets.items():
        indicator = indicators.get(pk)
        if indicator is None:
            raise ReturnRuleError("That indicator is not part of this contract's set")
        if target is not None and target < 0:
            raise ReturnRuleError(f"The target for {indicator.name} cannot be negative", field=f"target_{pk}")
        if indicator.is_fraction and target is not None and target > 100:
            raise ReturnRuleError(f"The target for {indicator.name} must be between 0 and 100", field=f"target_{pk}")
        if margin is None or margin < 0:
            raise ReturnRuleError(f"The amber margin for {indicator.name} must be 0 or more", field=f"margin_{pk}")
        if (indicator.target, indicator.amber_margin) != (target, margin):
            changes[indicator.code] = {
                "target": [indicator.target, target],
                "amber_margin": [indicator.amber_margin, margin],
            }
            indicator.target, indicator.amber_margin = target, margin
    ContractIndicator.objects.bulk_update(indicators.values(), ["target", "amber_margin"])
    if changes:
        record("monitoring.targets_changed", by=by, obj=contract, data={"changes": changes})
    return sorted(indicators.values(), key=lambda i: (i.order, i.pk))
