"""The provider's contracts and returns, quarter by quarter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from commissioning.dates import Quarter
from commissioning.models import User
from commissioning.providers import supplier_id_of
from contracts.models import Contract

from ..models import (
    NOT_STARTED,
    ContractIndicator,
    QuarterlyReturn,
    ReturnReview,
    Timeliness,
    timeliness,
)
from .common import STATUS_TAGS, TIMELINESS_TAGS, status_label


def provider_contracts(user: User) -> QuerySet[Contract]:
    """The user's own supplier's live (or ended) contracts: never anyone else's, never drafts."""
    supplier_id = supplier_id_of(user)
    if supplier_id is None:
        return Contract.objects.none()
    return (
        Contract.objects.filter(supplier_id=supplier_id, activated_at__isnull=False)
        .select_related("supplier", "lot__framework", "buying_authority")
        .order_by("reference")
    )


def contract_for_provider(user: User, pk: int) -> Contract:
    """One of the provider's contracts, or 404: another supplier's contract does not exist for them.

    Each request of the deadline rush reads it, so it is asked as one row by its key, unordered, with
    what the return's pages show (its supplier, lot and framework) and not its buyer, which they do not."""
    try:
        contract = (
            provider_contracts(user)
            .select_related(None)
            .select_related("supplier", "lot__framework")
            .order_by()
            .get(pk=pk)
        )
    except Contract.DoesNotExist:
        raise Http404("No such contract") from None
    # The user's own supplier, already read with the contract: share it so that the page header and the
    # audit trail (which name the user's organisation) do not read it again.
    user.supplier_membership.supplier = contract.supplier
    return contract


def quarters_of(contract: Contract, today: date) -> list[Quarter]:
    """Quarters the contract owes a return for, up to the current one, newest first."""
    first = Quarter.containing(contract.start_on)
    last = min(Quarter.containing(today), Quarter.containing(contract.effective_end_on))
    quarters = []
    quarter = first
    while quarter <= last:
        quarters.append(quarter)
        quarter = quarter.next()
    return list(reversed(quarters))


@dataclass
class ReturnSlot:
    """One contract and one quarter: the return (or none yet), its status and whether it is on time."""

    contract: Contract
    quarter: Quarter
    quarterly_return: QuarterlyReturn | None
    today: date
    due_on: date | None = None

    def __post_init__(self):
        if self.due_on is None:
            self.due_on = self.quarterly_return.due_on if self.quarterly_return else self.quarter.return_due

    @property
    def status(self) -> str:
        return self.quarterly_return.status if self.quarterly_return else NOT_STARTED

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def status_tag(self) -> str:
        return STATUS_TAGS[self.status]

    @property
    def timeliness(self) -> str:
        submitted = self.quarterly_return.submitted_at if self.quarterly_return else None
        return timeliness(due_on=self.due_on, submitted_at=submitted, today=self.today)

    @property
    def timeliness_label(self) -> str:
        return Timeliness(self.timeliness).label

    @property
    def timeliness_tag(self) -> str:
        return TIMELINESS_TAGS[self.timeliness]

    @property
    def quarter_ended(self) -> bool:
        return self.today > self.quarter.end

    @property
    def editable(self) -> bool:
        return self.quarterly_return is None or self.quarterly_return.is_editable


def provider_overview(user: User, *, today: date) -> list[tuple[Contract, list[ReturnSlot]]]:
    """Each of the provider's contracts with a slot per quarter. Two queries."""
    contracts = list(provider_contracts(user))
    returns = {
        (r.contract_id, r.period.financial_year, r.period.quarter): r
        for r in QuarterlyReturn.objects.filter(contract__in=[c.pk for c in contracts]).select_related("period")
    }
    return [
        (
            contract,
            [
                ReturnSlot(contract, q, returns.get((contract.pk, q.financial_year, q.number)), today)
                for q in quarters_of(contract, today)
            ],
        )
        for contract in contracts
    ]


def return_of(contract: Contract, quarter: Quarter) -> QuarterlyReturn | None:
    """The contract's return for the quarter (one at most: one_return_per_contract_period), or None."""
    try:
        quarterly_return = QuarterlyReturn.objects.select_related("period").get(
            contract=contract, period__financial_year=quarter.financial_year, period__quarter=quarter.number
        )
    except QuarterlyReturn.DoesNotExist:
        return None
    quarterly_return.contract = contract  # the same row, as the caller has it (with its supplier)
    return quarterly_return


def indicators_of(contract: Contract) -> list[ContractIndicator]:
    return list(ContractIndicator.objects.filter(contract=contract).order_by("order", "pk"))


def reviews_of(quarterly_return: QuarterlyReturn) -> list[ReturnReview]:
    """The officers' decisions on a return, newest first, as a list: the template asks whether there are
    any before listing them, which on an empty queryset still ran the ORM's machinery on every request of
    the rush (a draft's form and page)."""
    if quarterly_return.submitted_at is None:
        # Officers review submissions: a return never submitted has no reviews, so do not ask.
        return []
    return list(quarterly_return.reviews.select_related("decided_by").order_by("-decided_at", "-pk"))
