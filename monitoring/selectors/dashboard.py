"""The officers' returns dashboard: a quarter's returns, filtered and searched, with tallies."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from commissioning.choices import kept_choices, provider_key
from commissioning.dates import Quarter
from commissioning.list_filters import filtered_by_choices
from commissioning.models import User
from commissioning.rules import reads_everything
from commissioning.search import Column, Sorting, listed_up_to, search
from contracts import coverage_tallies
from contracts.models import Contract
from frameworks.models import Framework, Lot
from suppliers.models import Supplier

from .. import tallies
from ..models import (
    NOT_STARTED,
    QuarterlyReturn,
    ReturnPeriod,
    Timeliness,
)
from .aggregates import readable_lots
from .common import Status, default_quarter, quarter_key
from .provider import ReturnSlot


@dataclass(frozen=True)
class DashboardFilters:
    quarter: Quarter
    framework: int | None = None
    lot: int | None = None
    supplier: int | None = None
    q: str = ""  # a contract's reference or title, or a provider's name


# What a row of the dashboard shows of its contract and of its return (status and timeliness included):
# not the contract's other columns or the return's narrative.
CONTRACT_ROW_FIELDS = ("reference", "title", "lot__number", "lot__framework__reference", "supplier__legal_name")
RETURN_ROW_FIELDS = ("contract_id", "status", "due_on", "submitted_at")


class DashboardSlots(Sequence):
    """The dashboard's rows, loaded a page at a time (two queries for any slice): the tallies are
    counted by the database, so the page costs the same with 50 contracts in force or 5,000."""

    def __init__(self, contracts: QuerySet[Contract], total: int, period: ReturnPeriod | None, quarter, today, due):
        self.contracts, self.total = contracts, total
        self.period, self.quarter, self.today, self.due = period, quarter, today, due

    def __len__(self) -> int:
        return self.total

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[slice(index, index + 1 if index != -1 else None)][0]
        contracts = list(self.contracts[index])
        returns = {}
        if self.period is not None and contracts:
            returns = {
                r.contract_id: r
                for r in QuarterlyReturn.objects.filter(
                    period=self.period, contract__in=[c.pk for c in contracts]
                ).only(*RETURN_ROW_FIELDS)
            }
        return [
            ReturnSlot(c, self.quarter, returns.get(c.pk), self.today, None if c.pk in returns else self.due)
            for c in contracts
        ]


@dataclass
class Dashboard:
    filters: DashboardFilters
    slots: DashboardSlots
    counts: dict[str, int]
    by_lot: list[tuple[str, dict[str, int]]]
    period: ReturnPeriod | None
    due_on: date


COUNTED = [NOT_STARTED, Status.DRAFT, Status.SUBMITTED, Status.RESUBMITTED, Status.RETURNED, Status.ACCEPTED]


COUNTED_TIMELINESS = [Timeliness.ON_TIME, Timeliness.LATE, Timeliness.OVERDUE, Timeliness.NOT_DUE]


def _tally(states: Mapping[tuple[str, str], int]) -> dict[str, int]:
    """Counts by status and by timeliness from how many returns are in each (status, timeliness)."""
    counts = dict.fromkeys([*COUNTED, *COUNTED_TIMELINESS], 0)
    for (status, on_time), number in states.items():
        counts[status] += number
        counts[on_time] += number
    counts["total"] = sum(counts[s] for s in COUNTED)
    return counts


def _timeliness_in_sql(today: date, due_dates: Iterable[date]) -> Case:
    """`models.timeliness` as a database expression, so returns are counted without being loaded.

    "Late" means first submitted on a UK day after the due date, i.e. at or after the midnight that
    ends it; comparing with that instant (one per distinct due date, usually one) keeps the time
    zone arithmetic out of the database.
    """
    zone = timezone.get_current_timezone()
    late = [
        When(
            due_on=due,
            submitted_at__gte=datetime.combine(due + timedelta(days=1), time.min, tzinfo=zone),
            then=Value(Timeliness.LATE.value),
        )
        for due in due_dates
    ]
    return Case(
        *late,
        When(submitted_at__isnull=False, then=Value(Timeliness.ON_TIME.value)),
        When(due_on__lt=today, then=Value(Timeliness.OVERDUE.value)),
        default=Value(Timeliness.NOT_DUE.value),
        output_field=CharField(),
    )


DASHBOARD_SEARCH = ("reference", "supplier__legal_name", "supplier__trading_name", "title")


DASHBOARD_COLUMNS = [
    Column("provider", "Provider and contract", ("supplier__legal_name", "reference")),
    Column("lot", "Lot", ("lot__framework__reference", "lot__number")),
    Column("status", "Status", ("return_status",)),
]


def dashboard(
    filters: DashboardFilters,
    *,
    today: date,
    user: User,
    sorting: Sorting | None = None,
) -> Dashboard:
    """Every return due for the quarter (one per contract in force during it), filtered, with tallies.

    The counts by status come from the tallies the services keep (`monitoring.tallies`), a few dozen
    rows a quarter however many returns, and the contracts in force on a lot from its term tallies
    (`contracts.coverage_tallies`); only for one provider's contracts, a search, or the lots of other
    authorities' frameworks are the contracts and returns counted. Five queries, plus two for the page of
    rows shown (`DashboardSlots`). The
    total, and so the number of pages, comes from the same counts: after rows written behind the services,
    `rebuild_coverage_tallies` and `rebuild_return_tallies` put it right (their `--check` finds it wrong).
    """
    quarter = filters.quarter
    period = ReturnPeriod.objects.filter(financial_year=quarter.financial_year, quarter=quarter.number).first()
    in_force = Contract.objects.readable_by(user).in_force_during(quarter.start, quarter.end)
    in_force = filtered_by_choices(
        in_force, lot__framework_id=filters.framework, lot_id=filters.lot, supplier_id=filters.supplier
    )
    in_force = search(in_force, filters.q, DASHBOARD_SEARCH)
    # The lots the user reads, for their labels (a few dozen rows, however many contracts): every contract the
    # user reads is on one of them or on none. The lots whose every contract the user reads (their framework's
    # lead authority, or an administrator) are counted from the maintained tallies unless a provider or a search
    # narrows the list: their contracts in force from the term tallies, their returns from the return tallies.
    # Only the contracts on the other lots, or on none, are counted. Read here on every view, not taken from
    # the filter's choices (kept a minute): a lot missing from them would leave its contracts uncounted.
    lots = list(readable_lots(user, Lot.objects.select_related("framework")))
    lots = [lot for lot in lots if filters.framework in (None, lot.framework_id) and filters.lot in (None, lot.pk)]
    labels = {lot.pk: f"{lot.framework.reference} lot {lot.number}: {lot.title}" for lot in lots}
    counts_by_lot: dict[int | None, int] = {}
    whole_lots: set[int | None] = set()
    countable = in_force
    if filters.q:  # a search annotates the rows, so count the matching contracts by their keys
        countable = Contract.objects.filter(pk__in=in_force.values("pk"))
    elif not filters.supplier:
        whole = {
            lot.pk for lot in lots if reads_everything(user) or lot.framework.lead_authority_id == user.authority_id
        }
        counts_by_lot = coverage_tallies.in_force_by_lot(list(whole), quarter.start, quarter.end) if whole else {}
        whole_lots = set(counts_by_lot)
        # The other lots named, through the contracts' lot index: `exclude(lot_id__in=whole)` (NOT IN) reads
        # every contract in force of the authority (3.1 against 0.08 ms at ×10 on PostgreSQL).
        others = [lot.pk for lot in lots if lot.pk not in whole]
        countable = in_force.filter(Q(lot_id__in=others) | Q(lot__isnull=True))
    counts_by_lot.update(countable.order_by().values_list("lot_id").annotate(n=Count("pk")))
    if reads_everything(user) and None in counts_by_lot and not filters.supplier and not filters.q:
        whole_lots.add(None)
    contracts_by_lot = {
        lot_id: (labels.get(lot_id, "") if lot_id else "Contracts without a lot", count)
        for lot_id, count in counts_by_lot.items()
    }
    by_lot: dict[int | None, Counter] = defaultdict(Counter)
    tallied = whole_lots
    if period is not None and tallied:
        for lot_id, states in tallies.by_lot(period, today=today, lot_ids=tallied).items():
            by_lot[lot_id].update(states)
    counted = set(contracts_by_lot) - tallied
    if period is not None and counted:
        in_counted = Q(contract__lot_id__in=[pk for pk in counted if pk])
        if None in counted:
            in_counted |= Q(contract__lot__isnull=True)
        returns = QuarterlyReturn.objects.filter(in_counted, period=period, contract__in=in_force.values("pk"))
        due_dates = returns.order_by().values_list("due_on", flat=True).distinct()
        for row in (
            returns.annotate(on_time=_timeliness_in_sql(today, list(due_dates)))
            .order_by()
            .values("contract__lot_id", "status", "on_time")
            .annotate(n=Count("pk"))
        ):
            by_lot[row["contract__lot_id"]][(row["status"], row["on_time"])] += row["n"]
    due = period.due_on if period is not None else quarter.return_due
    unsent = Timeliness.OVERDUE if today > due else Timeliness.NOT_DUE
    everything: Counter = Counter()
    groups: dict[str, dict[str, int]] = {}
    for lot_id, (label, count) in contracts_by_lot.items():
        states = by_lot[lot_id]
        states[(NOT_STARTED, unsent)] += max(0, count - sum(states.values()))  # in force, no return yet
        everything.update(states)
        groups[label] = _tally(states)
    counts = _tally(everything)

    rows = in_force.select_related("supplier", "lot__framework").only(*CONTRACT_ROW_FIELDS)
    if sorting is not None and sorting.column is not None:
        # Not started sorts first: the return's status, or "" when there is none yet. Unordered: one return a
        # contract and period, and the returns' default order joins the period and the contract for each row.
        status = QuarterlyReturn.objects.filter(contract=OuterRef("pk"), period=period).order_by().values("status")[:1]
        rows = sorting.apply(
            rows.annotate(return_status=Coalesce(Subquery(status), Value(""))), "supplier__legal_name", "pk"
        )
    else:
        rows = rows.order_by("supplier__legal_name", "reference", "pk")
    return Dashboard(
        filters=filters,
        slots=DashboardSlots(rows, counts["total"], period, quarter, today, due),
        counts=counts,
        by_lot=sorted(groups.items()),
        period=period,
        due_on=due,
    )


def dashboard_choices(*, today: date, user: User, selected_supplier: str | None = None) -> dict:
    """The dashboard's filter choices (`_dashboard_choices`), kept a minute (`kept_choices`)."""
    selected_supplier = provider_key(selected_supplier)
    return kept_choices(
        "dashboard", user, lambda: _dashboard_choices(today, user, selected_supplier), today, selected_supplier
    )


def _dashboard_choices(today: date, user: User, selected_supplier: str | None) -> dict:
    """Filter choices: frameworks and lots (one query), providers with
    contracts (up to `LISTED_UP_TO`; "supplier_cut" says when there were more), and quarters from the earliest
    contract (or the quarter shown by default, if that is earlier) to the next one."""
    readable = Contract.objects.readable_by(user)
    lots = list(readable_lots(user, Lot.objects.select_related("framework")).order_by("framework__reference", "number"))
    frameworks: dict[int, Framework] = {}
    for lot in lots:
        frameworks.setdefault(lot.framework_id, lot.framework)
    suppliers, suppliers_cut = listed_up_to(
        Supplier.objects.filter(Exists(readable.filter(supplier=OuterRef("pk"), activated_at__isnull=False)))
        .order_by("legal_name")
        .values_list("pk", "legal_name"),
        selected_supplier,
    )
    # The earliest start as the first row in start order (through the contracts' index on it), not MIN() over
    # every readable contract.
    earliest = (
        readable.filter(activated_at__isnull=False).order_by("start_on").values_list("start_on", flat=True).first()
    )
    quarters = []
    current = Quarter.containing(today)
    quarter = default_quarter(today)
    if earliest and Quarter.containing(earliest) < quarter:
        quarter = Quarter.containing(earliest)
    while quarter <= current.next():
        quarters.append(quarter)
        quarter = quarter.next()
    return {
        "framework": [("", "All frameworks")] + [(str(f.pk), f.reference) for f in frameworks.values()],
        "lot": [("", "All lots")]
        + [(str(lot.pk), f"{lot.framework.reference} lot {lot.number}: {lot.title}") for lot in lots],
        "supplier": [("", "All providers")] + [(str(pk), name) for pk, name in suppliers],
        "supplier_cut": suppliers_cut,
        "quarter": [(quarter_key(q), q.label) for q in reversed(quarters)],
    }
