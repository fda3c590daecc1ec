"""Factories for contracts: draft and live contracts, options, values, funding, meetings and actions.

They go through `contracts.services` wherever a service exists, so the objects are ones the portal
itself could have made.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count

from commissioning.models import Authority, FundingAllocation, FundingStream, User
from contracts import services, whole_life
from contracts.models import Contract, ContractMeeting, MeetingAction, SocialValueCommitment, term_end
from suppliers.models import Supplier
from tests.factories import make_authority, make_established, make_supplier, make_user

_seq = count(1)


def make_contract(
    *,
    by: User | None = None,
    supplier: Supplier | None = None,
    buying_authority: Authority | None = None,
    start_on: date = date(2025, 4, 1),
    initial_end_on: date | None = None,
    extension_months: list[int] | None = None,
    annual_value: Decimal | str | None = None,
    year_values: dict[int, Decimal] | None = None,
    **overrides,
) -> Contract:
    """A draft contract: three years from `start_on` unless told otherwise."""
    n = next(_seq)
    values = {
        "reference": f"TEST-{n:04d}",
        "title": f"Victim support service {n}",
        "kind": Contract.Kind.CONTRACT,
    }
    values.update(overrides)
    return services.create_contract(
        by=by,
        supplier=supplier or make_supplier(),
        # The officer who records it buys for their own authority, unless told otherwise.
        buying_authority=buying_authority
        or (by.authority if by is not None and by.authority_id else make_authority(kind=Authority.Kind.OPCC)),
        start_on=start_on,
        initial_end_on=initial_end_on or term_end(start_on, 36),
        extension_months=extension_months if extension_months is not None else [],
        annual_value=Decimal(str(annual_value)) if annual_value is not None else None,
        year_values=year_values,
        **values,
    )


def accept_social_value(contract: Contract, *, by: User | None = None) -> None:
    by = by or make_user(User.Role.OFFICER)
    proposal = services.record_social_value_proposal(
        by=by,
        contract=contract,
        summary="Local jobs and volunteering.",
        commitments=[
            {
                "theme": SocialValueCommitment.Theme.JOBS,
                "measure": "Local people employed",
                "unit": "people",
                "target": Decimal("3"),
                "due_on": contract.initial_end_on,
            }
        ],
    )
    services.accept_social_value_proposal(by=by, proposal=proposal)


def make_live_contract(*, by: User | None = None, **kwargs) -> Contract:
    """A contract that has gone live (with an accepted Social Value Proposal when it needs one)."""
    by = by or make_user(User.Role.OFFICER)
    contract = make_contract(by=by, **kwargs)
    if services.social_value_required(contract.kind, whole_life.of_contract(contract).amount):
        accept_social_value(contract, by=by)
    return go_live(contract, by=by)


def go_live(contract: Contract, *, by: User | None = None) -> Contract:
    """Make a draft live as the portal requires: for a contract no award produced, `by` proposes and a
    second, established officer confirms."""
    by = by or make_user(User.Role.OFFICER)
    if not services.needs_second_officer(contract):
        return services.activate_contract(by=by, contract=contract)
    # A colleague of the buying authority confirms, then leaves it (inactive), so that the authority's
    # officers who are e-mailed stay as each test set them up.
    second = make_established(User.Role.OFFICER, authority=contract.buying_authority)
    contract = services.make_live_by_two(first=by, second=second, contract=contract)
    second.is_active = False
    second.save(update_fields=["is_active"])
    return contract


def make_stream(name: str | None = None, *, allocations: dict[int, Decimal] | None = None) -> FundingStream:
    stream = FundingStream.objects.create(name=name or f"Funding stream {next(_seq)}", funder="Test funder")
    for year, amount in (allocations or {}).items():
        FundingAllocation.objects.create(stream=stream, financial_year=year, amount=Decimal(str(amount)))
    return stream


def make_meeting_with_action(contract: Contract, *, by: User | None = None, **action) -> MeetingAction:
    by = by or make_user(User.Role.OFFICER)
    meeting = (
        ContractMeeting.objects.filter(contract=contract).first()
        or services.schedule_meetings(by=by, contract=contract)[0]
    )
    values = {"description": "Send the referral figures by area", "owner": "Service manager"}
    values.update(action)
    return services.add_meeting_action(by=by, meeting=meeting, **values)
