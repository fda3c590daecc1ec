"""Reads of the contracts register, each with a fixed number of queries and scoped to the user."""

from __future__ import annotations

from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from commissioning.choices import kept_choices, provider_key
from commissioning.dates import financial_year_label, financial_year_of
from commissioning.list_filters import filtered_by_choices
from commissioning.models import AuditEvent, Authority, FundingAllocation, FundingStream, User
from commissioning.providers import supplier_id_of
from commissioning.rules import acting_for_filter, reading_for_filter, reads_everything
from commissioning.search import Column, Sorting, listed_up_to, search
from commissioning.wording import field_label, field_value

from .models import (
    ZERO,
    Contract,
    ContractFunding,
    ContractMeeting,
    ExtensionOption,
    MeetingAction,
    Milestone,
    Variation,
    add_months,
)
from .year_values import VALUE_CHANGED

PIPELINE_HORIZONS = (6, 12, 36)


# The register -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterFilters:
    status: str = ""
    lot: int | None = None
    supplier: int | None = None
    authority: int | None = None
    q: str = ""


REGISTER_SEARCH = ("reference", "supplier__legal_name", "supplier__trading_name", "title")
# Soonest ending first; ends with the primary key, for keyset pagination. By default current contracts come
# first (`register_groups`).
REGISTER_ORDER = ("current_end_on", "reference", "pk")
# What a row of the register shows (its term described from its dates and options) and is ordered by: not
# each contract's scope, its managers' accounts or the related records' other columns.
REGISTER_ROW_FIELDS = (
    "reference",
    "title",
    "kind",
    "start_on",
    "initial_end_on",
    "current_end_on",
    "terminated_on",
    "activated_at",
    "lot__number",
    "lot__framework__reference",
    "supplier__legal_name",
    "buying_authority__name",
)
REGISTER_COLUMNS = [
    Column("contract", "Contract", ("reference",)),
    Column("provider", "Provider", ("supplier__legal_name",)),
    Column("authority", "Buying authority", ("buying_authority__name",)),
    Column("term", "Term", ("start_on", "current_end_on")),
    Column("year_value", "Annual value", ("year_value",), numeric=True),
    Column("total_value", "Total value", ("total_value",), numeric=True),
]


def register_ordering(sorting: Sorting | None) -> list[str]:
    """The register's order: the column chosen, else `REGISTER_ORDER`; always ending with the primary key,
    so the view can page through it by keyset."""
    if sorting is not None and sorting.column is not None:
        return sorting.order_by("reference", "pk")
    return list(REGISTER_ORDER)


def register_groups(sorting: Sorting | None, today: date) -> list[Q]:
    """Unless a column is chosen, the register shows the contracts not yet over (drafts, live, in their final
    months) before those that ended or were terminated, each soonest ending first, as groups that keyset
    pagination reads one after the other, each off an index on the end date: drafts whose end date has passed
    (`contract_draft_order_idx`), the rest not over (ending today or later), then those over. A contract
    terminated on or after today ends on or after today (`contract_terminated_within_term`), so it is in the
    second group. For the same reason a contract is over when its current end or its termination has passed:
    the database answers that from two indexes (`contract_register_order_idx`, `contract_terminated_idx`)."""
    if sorting is not None and sorting.column is not None:
        return []
    over = Q(activated_at__isnull=False) & (Q(current_end_on__lt=today) | Q(terminated_on__lt=today))
    return [
        Q(activated_at__isnull=True, current_end_on__lt=today),
        Q(current_end_on__gte=today) & ~Q(activated_at__isnull=False, terminated_on__lt=today),
        over,
    ]


def register(
    filters: RegisterFilters, *, today: date, user: User, sorting: Sorting | None = None
) -> QuerySet[Contract]:
    """The officers' register: every contract the user reads, filtered and searched, with values for the current
    financial year, soonest ending first unless a column is chosen to sort by (and paged in
    `register_groups`, current contracts first).

    Two queries however many contracts: contracts (the columns of `REGISTER_ROW_FIELDS`, with joins and value
    subqueries), and extension options with their exercised extensions; the page's rows are given their
    areas by `with_area_names`.
    """
    qs = (
        Contract.objects.readable_by(user)
        .select_related("supplier", "buying_authority", "lot__framework")
        .only(*REGISTER_ROW_FIELDS)
        .with_values(financial_year_of(today))
        .prefetch_related(Prefetch("extension_options", queryset=ExtensionOption.objects.select_related("exercised")))
    )
    qs = qs.order_by(*register_ordering(sorting))
    qs = search(qs, filters.q, REGISTER_SEARCH)
    if filters.status:
        qs = qs.with_status(filters.status, today)
    return filtered_by_choices(
        qs, lot_id=filters.lot, supplier_id=filters.supplier, buying_authority_id=filters.authority
    )


# The people a contract's page names, read by key in one query (`_attach_people`) rather than joined to the
# contract: with the user table joined five times the contract's query had ten joins, which PostgreSQL took
# 6.6 ms to plan and 0.7 ms to run (×10 bench data).
CONTRACT_PEOPLE = ("officer_manager", "supplier_manager_user", "activated_by", "terminated_by")


def _detail_queryset() -> QuerySet[Contract]:
    return Contract.objects.select_related(
        "supplier",
        "buying_authority",
        "lot__framework",
        "social_value_proposal",
        "grant_terms",
    ).prefetch_related(
        "social_value_proposal__commitments",
        Prefetch(
            "extension_options",
            queryset=ExtensionOption.objects.select_related("exercised__decided_by"),
        ),
        Prefetch("variations", queryset=Variation.objects.select_related("recorded_by")),
        "year_values",
        Prefetch("funding", queryset=ContractFunding.objects.select_related("stream")),
        "areas",
        "consortium_members",
        Prefetch(
            "meetings",
            queryset=ContractMeeting.objects.prefetch_related(
                Prefetch("actions", queryset=MeetingAction.objects.select_related("done_by"))
            ),
        ),
        "milestones",
    )


def contract_for_officer(user: User, pk: int, *, acting: bool = False) -> Contract:
    """A contract the user reads (404 otherwise); with `acting`, one whose buying authority the user acts
    for (a lifecycle move): a framework's lead authority reads a partner's call-off but does not manage it."""
    scope = acting_for_filter(user, "buying_authority") if acting else reading_for_filter(user, *Contract.READ_BY)
    try:
        contract = _detail_queryset().filter(scope).get(pk=pk)
    except Contract.DoesNotExist as exc:
        raise Http404("No such contract") from exc
    _complete(contract)
    return contract


def _complete(contract: Contract) -> None:
    """What a contract's page reads beside `_detail_queryset`: the people it names, its social value."""
    _attach_people(contract)
    _attach_social_value(contract)


def _attach_people(contract: Contract) -> None:
    """Put the people the contract names (`CONTRACT_PEOPLE`, and who accepted its social value proposal) in
    place, read in one query: none when it names nobody."""
    holders = [(contract, name) for name in CONTRACT_PEOPLE]
    with suppress(Contract.social_value_proposal.RelatedObjectDoesNotExist):
        holders.append((contract.social_value_proposal, "accepted_by"))
    ids = {getattr(holder, f"{name}_id") for holder, name in holders} - {None}
    people = User.objects.in_bulk(ids) if ids else {}
    for holder, name in holders:
        person_id = getattr(holder, f"{name}_id")
        if person_id is not None:
            setattr(holder, name, people[person_id])


def _attach_social_value(contract: Contract) -> None:
    """Set `contract.proposal` (or None) and `contract.commitments` for templates and views."""
    try:
        proposal = contract.social_value_proposal
    except Contract.social_value_proposal.RelatedObjectDoesNotExist:
        proposal = None
    contract.proposal = proposal
    contract.commitments = list(proposal.commitments.all()) if proposal is not None else []


def audit_events_for(contract: Contract) -> QuerySet[AuditEvent]:
    """The contract's audit trail, newest first."""
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Contract), object_id=str(contract.pk)
    ).order_by("-occurred_at", "-id")


# The contract page's audit trail: its newest events, up to this many.
EVENTS_SHOWN = 100
VALUE_ACTIONS = (VALUE_CHANGED, "contracts.variation_recorded")


def recent_events(contract: Contract) -> list[AuditEvent]:
    """The contract's newest events (`EVENTS_SHOWN` at most), newest first."""
    return list(audit_events_for(contract)[:EVENTS_SHOWN])


def value_changes(contract: Contract, *, recent: list[AuditEvent] | None = None) -> list[dict]:
    """Each change of a financial year's value, oldest first, from the audit trail: by an extension (the
    added years) or by a variation. [{when, who, year_label, before, after, cause}]

    `recent` (from `recent_events`), when it holds every event of the contract, is read instead of asking
    the trail again; a contract with more events than that is asked."""
    if recent is not None and len(recent) < EVENTS_SHOWN:
        events = [event for event in reversed(recent) if event.action in VALUE_ACTIONS]
    else:
        events = audit_events_for(contract).filter(action__in=VALUE_ACTIONS).order_by("occurred_at", "id")
    rows = []
    for event in events:
        data = event.data
        if event.action == VALUE_CHANGED:
            before, after, cause = data.get("before"), data.get("after"), data.get("cause", "")
        elif data.get("kind") == "value":
            before, after = data.get("value_before"), data.get("value_after")
            cause = f"Variation approved by {data.get('approver', '')}"
        else:
            continue
        rows.append(
            {
                "when": event.occurred_at,
                "who": event.actor_email,
                "year_label": financial_year_label(int(data["financial_year"])),
                "before": Decimal(before) if before is not None else None,
                "after": Decimal(after) if after is not None else None,
                "cause": cause,
            }
        )
    return rows


def field_history(contract: Contract) -> list[dict]:
    """django-simple-history's field changes, newest first: [{when, who, reason, changes}]."""
    records = list(contract.history.select_related("history_user").order_by("-history_date", "-history_id"))
    rows = []
    for newer, older in zip(records, records[1:], strict=False):
        delta = newer.diff_against(older)
        changes = [
            {
                "field": field_label(Contract, change.field),
                "old": field_value(Contract, change.field, change.old),
                "new": field_value(Contract, change.field, change.new),
            }
            for change in delta.changes
        ]
        if changes:
            rows.append(
                {
                    "when": newer.history_date,
                    "who": newer.history_user,
                    "reason": newer.history_change_reason or "",
                    "changes": changes,
                }
            )
    return rows


# The provider's contracts -----------------------------------------------------------------------------


def contracts_for_provider(user: User, *, today: date) -> QuerySet[Contract]:
    """A provider user's own supplier's contracts, never anyone else's. Drafts are not shown."""
    supplier_id = supplier_id_of(user)
    if supplier_id is None:
        return Contract.objects.none()
    return (
        Contract.objects.filter(supplier_id=supplier_id, activated_at__isnull=False)
        .select_related("buying_authority", "lot__framework")
        .with_values(financial_year_of(today))
        .prefetch_related(Prefetch("extension_options", queryset=ExtensionOption.objects.select_related("exercised")))
        .order_by("-current_end_on", "reference")
    )


def contract_for_provider(user: User, pk: int) -> Contract:
    """One of the provider's contracts, or 404 (another supplier's contract does not exist for them)."""
    supplier_id = supplier_id_of(user)
    if supplier_id is None:
        raise Http404("No such contract")
    try:
        contract = _detail_queryset().get(pk=pk, supplier_id=supplier_id, activated_at__isnull=False)
    except Contract.DoesNotExist as exc:
        raise Http404("No such contract") from exc
    _complete(contract)
    return contract


def action_for_user(user: User, pk: int) -> MeetingAction:
    """A meeting action the user may complete, or 404."""
    action = MeetingAction.objects.select_related("meeting__contract").filter(pk=pk).first()
    if action is None or not user.has_perm("contracts.complete_action", action):
        raise Http404("No such action")
    if user.role == "provider" and action.meeting.contract.activated_at is None:
        raise Http404("No such action")
    return action


# The funding envelope ---------------------------------------------------------------------------------


@dataclass
class EnvelopeStream:
    stream: FundingStream
    allocation: Decimal
    in_scope: Decimal = ZERO
    out_of_scope: Decimal = ZERO

    @property
    def committed(self) -> Decimal:
        return self.in_scope + self.out_of_scope

    @property
    def headroom(self) -> Decimal:
        return self.allocation - self.committed

    @property
    def overspent(self) -> bool:
        """Ring-fenced money committed beyond what the stream provides in the year."""
        return self.stream.is_ring_fenced and self.committed > self.allocation

    @property
    def overspend(self) -> Decimal:
        return self.committed - self.allocation if self.overspent else ZERO


@dataclass
class EnvelopeContract:
    contract: Contract
    funded: Decimal
    year_value: Decimal | None
    # Set when the row is the authority's contribution to a contract another authority leads.
    led_by: Authority | None = None


@dataclass
class Envelope:
    financial_year: int
    authority: Authority | None
    streams: list[EnvelopeStream]
    in_scope: list[EnvelopeContract] = field(default_factory=list)
    out_of_scope: list[EnvelopeContract] = field(default_factory=list)

    @property
    def label(self) -> str:
        return financial_year_label(self.financial_year)

    @property
    def allocations(self) -> Decimal:
        return sum((s.allocation for s in self.streams), ZERO)

    @property
    def committed_in_scope(self) -> Decimal:
        return sum((c.funded for c in self.in_scope), ZERO)

    @property
    def committed_out_of_scope(self) -> Decimal:
        return sum((c.funded for c in self.out_of_scope), ZERO)

    @property
    def committed(self) -> Decimal:
        return self.committed_in_scope + self.committed_out_of_scope

    @property
    def headroom(self) -> Decimal:
        return self.allocations - self.committed

    @property
    def overspent_streams(self) -> list[EnvelopeStream]:
        return [s for s in self.streams if s.overspent]

    @property
    def recommissioning_budget(self) -> Decimal:
        """Allocations minus what separately commissioned (out-of-scope) services take."""
        return self.allocations - self.committed_out_of_scope


def envelope(financial_year: int, *, authority: Authority | None = None) -> Envelope:
    """Allocations per funding stream for one financial year, what contracts in force during the year
    take from them, and the headroom, split into services in and out of scope for recommissioning.

    With an authority, only its contracts count, and only the streams that fund its contracts.
    """
    first, last = date(financial_year, 4, 1), date(financial_year + 1, 3, 31)
    contracts = Contract.objects.in_force_during(first, last).filter(funding__financial_year=financial_year)
    if authority is not None:
        contracts = contracts.filter(buying_authority=authority)
    contracts = (
        contracts.select_related("supplier")
        .with_values(financial_year)
        .annotate(funded=Sum("funding__amount", filter=Q(funding__financial_year=financial_year)))
        .order_by("-funded", "reference")
    )
    contract_list = list(contracts)
    funding_rows = (
        ContractFunding.objects.filter(financial_year=financial_year, contract__in=[c.pk for c in contract_list])
        .values("stream_id", "contract__in_recommissioning_scope")
        .annotate(total=Sum("amount"))
    )
    allocations = FundingAllocation.objects.filter(financial_year=financial_year).select_related("stream")
    if authority is not None:
        allocations = allocations.filter(_streams_of(authority, prefix="stream__")).distinct()
    streams = {a.stream_id: EnvelopeStream(stream=a.stream, allocation=a.amount) for a in allocations}
    missing = {row["stream_id"] for row in funding_rows} - set(streams)
    for stream in FundingStream.objects.filter(pk__in=missing):
        streams[stream.pk] = EnvelopeStream(stream=stream, allocation=ZERO)
    for row in funding_rows:
        target = streams[row["stream_id"]]
        if row["contract__in_recommissioning_scope"]:
            target.in_scope += row["total"]
        else:
            target.out_of_scope += row["total"]
    rows = [
        EnvelopeContract(contract=contract, funded=contract.funded or ZERO, year_value=contract.year_value)
        for contract in contract_list
    ]
    if authority is not None:
        rows += _contributions(authority, financial_year, streams, first, last)
    result = Envelope(
        financial_year=financial_year,
        authority=authority,
        streams=sorted(streams.values(), key=lambda s: (-s.allocation, s.stream.name)),
    )
    for row in rows:
        (result.in_scope if row.contract.in_recommissioning_scope else result.out_of_scope).append(row)
    return result


CONTRIBUTIONS_WITHOUT_STREAM = "Contributions to services other authorities lead"


def _contributions(
    authority: Authority, financial_year: int, streams: dict, first: date, last: date
) -> list[EnvelopeContract]:
    """The authority's share of contracts it co-commissions: each contribution counts against the
    contributor's stream it comes from (or one line for contributions from no named stream)."""
    from .models import Contribution

    in_force = Contract.objects.in_force_during(first, last).values("pk")
    contributions = (
        Contribution.objects.filter(authority=authority, financial_year=financial_year, contract__in=in_force)
        .select_related("stream")
        .order_by("contract__reference")
    )
    contributions = list(contributions)
    contracts = {
        c.pk: c
        for c in Contract.objects.filter(pk__in=[row.contract_id for row in contributions])
        .select_related("supplier", "buying_authority")
        .with_values(financial_year)
    }
    rows = []
    for contribution in contributions:
        contract = contracts[contribution.contract_id]
        key = contribution.stream_id or CONTRIBUTIONS_WITHOUT_STREAM
        if key not in streams:
            stream = contribution.stream or FundingStream(name=CONTRIBUTIONS_WITHOUT_STREAM)
            streams[key] = EnvelopeStream(stream=stream, allocation=ZERO)
        if contract.in_recommissioning_scope:
            streams[key].in_scope += contribution.amount
        else:
            streams[key].out_of_scope += contribution.amount
        rows.append(
            EnvelopeContract(
                contract=contract,
                funded=contribution.amount,
                year_value=contract.year_value,
                led_by=contract.buying_authority,
            )
        )
    return rows


def buying_authorities(user: User) -> QuerySet[Authority]:
    """The authorities that have contracts on the register the user reads, by name: the choices of the
    authority filters."""
    return Authority.objects.filter(Contract.objects.readable_linked(user, buying_authority=OuterRef("pk"))).order_by(
        "name"
    )


def _streams_of(authority: Authority, *, prefix: str = "") -> Q:
    """The streams in an authority's envelope: those in its budget, and those funding its contracts."""
    return Q(**{f"{prefix}authority": authority}) | Q(
        **{f"{prefix}contract_funding__contract__buying_authority": authority}
    )


def envelope_years(authority: Authority | None = None) -> list[int]:
    """The financial years with allocations or funded contracts (for the authority, when given)."""
    allocations = FundingAllocation.objects.all()
    funding = ContractFunding.objects.all()
    if authority is not None:
        allocations = allocations.filter(_streams_of(authority, prefix="stream__"))
        funding = funding.filter(contract__buying_authority=authority)
    years = set(allocations.values_list("financial_year", flat=True).distinct())
    years |= set(funding.values_list("financial_year", flat=True).distinct())
    return sorted(years)


def envelope_authorities(user: User) -> QuerySet[Authority]:
    """Authorities with a budget or contracts on the register, among those the user reads (an officer: their
    own): the choices of the envelope's filter."""
    authorities = Authority.objects.filter(Q(contracts__isnull=False) | Q(funding_streams__isnull=False))
    if not reads_everything(user):
        authorities = authorities.filter(pk=user.authority_id)
    return authorities.distinct().order_by("name")


# The pipeline -----------------------------------------------------------------------------------------


@dataclass
class PipelineEvent:
    contract: Contract
    kind: str  # "extension" or "end"
    due_on: date
    option: ExtensionOption | None = None

    def overdue_on(self, today: date) -> bool:
        return self.due_on < today

    @property
    def label(self) -> str:
        if self.kind == "extension":
            return f"Decide on extension option {self.option.sequence} ({self.option})"
        if self.contract.next_option() is None:
            return "Contract ends: no extension options left"
        return "Contract ends unless extended"


@dataclass
class Pipeline:
    today: date
    horizons: list[tuple[int, date, list[PipelineEvent]]]
    milestones: list[tuple[Contract, list[Milestone]]]


def pipeline(*, today: date, authority: Authority | None = None) -> Pipeline:
    """Contracts reaching an extension decision or their end within 6, 12 and 36 months of `today`,
    each event in the first horizon it falls in, with the recommissioning milestones of each service."""
    furthest = add_months(today, max(PIPELINE_HORIZONS))
    contracts = (
        Contract.objects.with_effective_end()
        .filter(activated_at__isnull=False, effective_end__gte=today)
        .filter(
            Q(effective_end__lt=furthest)
            | Q(extension_options__isnull=False, current_end_on__lt=add_months(furthest, 24))
        )
        .distinct()
        .select_related("supplier", "buying_authority")
        .prefetch_related(
            Prefetch("extension_options", queryset=ExtensionOption.objects.select_related("exercised")),
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "pk")),
        )
        .order_by("current_end_on", "reference")
    )
    if authority is not None:
        contracts = contracts.filter(buying_authority=authority)
    events: list[PipelineEvent] = []
    milestones: list[tuple[Contract, list[Milestone]]] = []
    for contract in contracts:
        decision = contract.next_extension_decision_on()
        if decision is not None and decision < furthest:  # an undecided, overdue option shows too
            events.append(PipelineEvent(contract, "extension", decision, contract.next_option()))
        if contract.effective_end_on < furthest:
            events.append(PipelineEvent(contract, "end", contract.effective_end_on))
        if contract.milestones.all():
            milestones.append((contract, list(contract.milestones.all())))
    events.sort(key=lambda e: (e.due_on, e.contract.reference, e.kind))
    horizons = []
    start = None  # the first horizon also holds overdue extension decisions
    for months in PIPELINE_HORIZONS:
        until = add_months(today, months)
        horizons.append(
            (months, until, [e for e in events if (start is None or start <= e.due_on) and e.due_on < until])
        )
        start = until
    shown = {e.contract.pk for e in events}
    return Pipeline(
        today=today,
        horizons=horizons,
        milestones=[(contract, items) for contract, items in milestones if contract.pk in shown],
    )


# Filter choices -----------------------------------------------------------------------------------------


def filter_choices(user: User, *, selected_supplier: str | None = None) -> dict:
    """The register's filter choices (lots, providers, buying authorities), kept a minute (`kept_choices`)."""
    selected_supplier = provider_key(selected_supplier)
    return kept_choices("register", user, lambda: _filter_choices(user, selected_supplier), selected_supplier)


def _filter_choices(user: User, selected_supplier: str | None) -> dict:
    from frameworks.models import Lot
    from suppliers.models import Supplier

    # Plain values, not model instances. Each lot, provider and authority is looked up in the contracts'
    # indexes, not by joining every contract. The lots and authorities are few, and each is asked once for
    # each way of reading (`readable_linked`). The providers are many, listed by name up to `LISTED_UP_TO`:
    # one EXISTS each, which the database answers a provider at a time until it has enough, where the EXISTS
    # of each way of reading would each be answered by hashing every contract.
    lots = (
        Lot.objects.filter(Contract.objects.readable_linked(user, lot=OuterRef("pk")))
        .order_by("framework__reference", "number")
        .values_list("pk", "framework__reference", "number", "title")
    )
    suppliers, suppliers_cut = listed_up_to(
        Supplier.objects.filter(Exists(Contract.objects.readable_by(user).filter(supplier=OuterRef("pk"))))
        .order_by("legal_name")
        .values_list("pk", "legal_name"),
        selected_supplier,
    )
    authorities = buying_authorities(user).values_list("pk", "name")
    return {
        "lots": [(pk, f"{reference} Lot {number}: {title}") for pk, reference, number, title in lots],
        "suppliers": suppliers,
        "suppliers_cut": suppliers_cut,
        "authorities": list(authorities),
    }


def group_by_kind(contracts: list[Contract]) -> dict[str, list[Contract]]:
    groups: dict[str, list[Contract]] = defaultdict(list)
    for contract in contracts:
        groups[contract.kind].append(contract)
    return groups
