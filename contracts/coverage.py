"""Coverage of a framework: for each lot and area, how many suppliers are appointed and how many
contracts are in force. Cells with no provider, or only one, are the "post-code lottery" the
framework exists to avoid.

It lives in `contracts` because it reads contracts (and, through them, frameworks and suppliers):
dependencies point monitoring → contracts → frameworks → suppliers → commissioning.

`coverage_matrix(framework, for_authority=...)` is the one entry point for the page, its export and
the framework PDF report. It makes four queries (lots, areas, appointee counts, contract counts)
whatever the number of suppliers, appointments or contracts.

Who is counted
--------------
- Appointees: suppliers with a current appointment (active and not ended; suspended appointments are
  left out, see `frameworks.partner_selectors`) on the lot that covers the area. For a partner
  authority (`for_authority`), only suppliers who consented to share their details with partners;
  officers see everyone.
- Live contracts: contracts on the lot that cover the area and are in force today (gone live,
  started, not ended or terminated: `Contract.objects.in_force_on(today)`, which includes contracts
  in their final six months), whichever authority bought them. The number is the same for officers
  and partners; partners are not shown values or the names of suppliers who did not consent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from import_export import fields

from commissioning.exports import SpreadsheetSafeResource
from commissioning.models import Area, Authority
from frameworks.models import Appointment, Framework, Lot
from frameworks.partner_selectors import current_appointments, shared_appointments

from .models import Contract

NO_PROVIDER = "none"
ONE_PROVIDER = "one"
FLAG_LABELS = {NO_PROVIDER: "No provider", ONE_PROVIDER: "One provider"}


@dataclass(frozen=True)
class CoverageCell:
    lot: Lot
    area: Area
    appointees: int
    live_contracts: int

    @property
    def flag(self) -> str:
        """`NO_PROVIDER` with no appointee, `ONE_PROVIDER` with a single appointee, otherwise empty."""
        if self.appointees == 0:
            return NO_PROVIDER
        if self.appointees == 1:
            return ONE_PROVIDER
        return ""

    @property
    def flag_label(self) -> str:
        return FLAG_LABELS.get(self.flag, "")

    @property
    def coverage_label(self) -> str:
        return self.flag_label or "Two or more providers"


@dataclass(frozen=True)
class CoverageRow:
    lot: Lot
    cells: list[CoverageCell]


@dataclass(frozen=True)
class CoverageMatrix:
    framework: Framework
    areas: list[Area]
    rows: list[CoverageRow]
    for_authority: Authority | None
    today: date

    def cells(self) -> Iterator[CoverageCell]:
        for row in self.rows:
            yield from row.cells

    def cell(self, lot: Lot | int, area: Area | int) -> CoverageCell:
        lot_id = getattr(lot, "pk", lot)
        area_id = getattr(area, "pk", area)
        for row in self.rows:
            if row.lot.pk == lot_id:
                for cell in row.cells:
                    if cell.area.pk == area_id:
                        return cell
        raise KeyError((lot_id, area_id))

    @property
    def no_provider_count(self) -> int:
        return sum(1 for cell in self.cells() if cell.flag == NO_PROVIDER)

    @property
    def one_provider_count(self) -> int:
        return sum(1 for cell in self.cells() if cell.flag == ONE_PROVIDER)

    @property
    def cell_count(self) -> int:
        return len(self.rows) * len(self.areas)


def _appointments(framework: Framework, for_authority, today: date) -> QuerySet[Appointment]:
    base = current_appointments(today) if for_authority is None else shared_appointments(for_authority, today)
    return base.filter(lot__framework=framework)


def _live_contracts(framework: Framework, today: date) -> QuerySet[Contract]:
    return Contract.objects.in_force_on(today).filter(lot__framework=framework)


def _count_by_lot_and_area(links: QuerySet, owner: str, counted: str) -> dict[tuple[int, int], int]:
    """How many distinct `counted` the rows of an areas link table hold for each (lot, area); `owner` is
    the side of the link (an appointment or a contract) that has the lot (one query)."""
    return {
        (row[f"{owner}__lot_id"], row["area_id"]): row["n"]
        for row in links.values(f"{owner}__lot_id", "area_id").annotate(n=Count(counted, distinct=True)).order_by()
    }


def coverage_matrix(
    framework: Framework, *, for_authority: Authority | int | None = None, today: date | None = None
) -> CoverageMatrix:
    """Lots × areas with the number of appointees and live contracts in each cell (four queries).

    With `for_authority`, only appointees who consented to share with partners are counted (call
    it only for an authority the framework is shared with). Every area is a column, so an area no
    one covers shows as a gap rather than disappearing.
    """
    today = today or timezone.localdate()
    lots = list(Lot.objects.published().filter(framework=framework).order_by("number"))
    areas = list(Area.objects.order_by("name"))

    appointments = _appointments(framework, for_authority, today).values("pk")
    appointees = _count_by_lot_and_area(
        Appointment.areas.through.objects.filter(appointment__in=appointments),
        "appointment",
        "appointment__supplier_id",
    )
    live = _live_contracts(framework, today).values("pk")
    contracts = _count_by_lot_and_area(
        Contract.areas.through.objects.filter(contract__in=live), "contract", "contract_id"
    )
    rows = [
        CoverageRow(
            lot=lot,
            cells=[
                CoverageCell(
                    lot=lot,
                    area=area,
                    appointees=appointees.get((lot.pk, area.pk), 0),
                    live_contracts=contracts.get((lot.pk, area.pk), 0),
                )
                for area in areas
            ],
        )
        for lot in lots
    ]
    return CoverageMatrix(framework, areas, rows, for_authority, today)


@dataclass(frozen=True)
class CellDetail:
    """The suppliers and contracts behind one cell of the matrix."""

    cell: CoverageCell
    appointments: list[Appointment]
    contracts: list[Contract]
    # For partners: suppliers whose names may be shown against a contract (they consented to share).
    named_supplier_ids: frozenset[int] | None

    def may_name(self, contract: Contract) -> bool:
        return self.named_supplier_ids is None or contract.supplier_id in self.named_supplier_ids


def coverage_cell(
    framework: Framework,
    lot: Lot,
    area: Area,
    *,
    for_authority: Authority | int | None = None,
    today: date | None = None,
) -> CellDetail:
    """The appointees and live contracts behind a cell, counted exactly as `coverage_matrix` does."""
    today = today or timezone.localdate()
    appointments = list(
        _appointments(framework, for_authority, today)
        .filter(lot=lot, areas=area)
        .select_related("supplier", "lot")
        .prefetch_related(Prefetch("areas", queryset=Area.objects.order_by("name")))
        .order_by("supplier__legal_name")
    )
    contracts = list(
        _live_contracts(framework, today)
        .filter(lot=lot, areas=area)
        .select_related("supplier", "buying_authority")
        .order_by("buying_authority__name", "reference")
    )
    named = None
    if for_authority is not None:
        named = frozenset(
            shared_appointments(for_authority, today)
            .filter(lot__framework=framework)
            .values_list("supplier_id", flat=True)
        )
    cell = CoverageCell(
        lot=lot,
        area=area,
        appointees=len({a.supplier_id for a in appointments}),
        live_contracts=len(contracts),
    )
    return CellDetail(cell=cell, appointments=appointments, contracts=contracts, named_supplier_ids=named)


class CoverageResource(SpreadsheetSafeResource):
    """One row per cell (lot × area): easy to sort, filter and pivot in a spreadsheet."""

    sheet_title = "Coverage"

    lot_number = fields.Field(attribute="lot__number", column_name="Lot number")
    lot_title = fields.Field(attribute="lot__title", column_name="Lot")
    area = fields.Field(attribute="area__name", column_name="Area")
    appointees = fields.Field(attribute="appointees", column_name="Active appointees")
    live_contracts = fields.Field(attribute="live_contracts", column_name="Live contracts")
    coverage = fields.Field(attribute="coverage_label", column_name="Coverage")

    class Meta:
        export_order = ("lot_number", "lot_title", "area", "appointees", "live_contracts", "coverage")
