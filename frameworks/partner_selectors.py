"""Reads of the approved list for people outside the lead authority's team: partner commissioners
(frameworks shared with their authority, suppliers who consented to sharing) and the public
(suppliers who consented to publication); plus the officer's whole list and appointment history.

Every list is built with a fixed number of queries (select_related/prefetch_related), so the number
of queries a page makes does not grow with the number of suppliers.

Which appointments are listed
-----------------------------
Only *active* appointments that have not ended (`ends_on` empty or today or later) are listed to
partners, on the coverage matrix and on the public pages. Suspended appointments are left out on
purpose: a supplier is suspended while the lead authority looks into a concern (safeguarding,
performance, a lapsed accreditation or insurance), and must not be called off from in that time.
Showing them to a partner would invite a call-off the lead authority has paused, and the reason for
a suspension is the lead authority's to share, not the list's. Removed appointments are never
listed. Officers see every status on their own list, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from commissioning.models import Area, Authority, User
from commissioning.pagination import Counted, InGroups, values_by
from commissioning.rules import acting_for_filter
from commissioning.search import search
from suppliers.models import Accreditation, AccreditationScheme

from .models import (
    ApplicationWindow,
    Appointment,
    AppointmentTally,
    ConsortiumMember,
    Framework,
    Lot,
    SharedSupplierTally,
)

SORTS = {
    "supplier": ("supplier__legal_name", "lot__number", "pk"),
    "supplier-desc": ("-supplier__legal_name", "lot__number", "pk"),
    "lot": ("lot__number", "supplier__legal_name", "pk"),
    "lot-desc": ("-lot__number", "supplier__legal_name", "pk"),
    "newest": ("-starts_on", "supplier__legal_name", "lot__number", "pk"),
    "oldest": ("starts_on", "supplier__legal_name", "lot__number", "pk"),
}
DEFAULT_SORT = "supplier"
APPROVED_LIST_SEARCH = ("supplier__legal_name", "supplier__trading_name", "lot__title")


@dataclass(frozen=True)
class ApprovedListFilters:
    """What the list is narrowed to. Empty values mean "any"."""

    lot: Lot | None = None
    area: Area | None = None
    scheme: str = ""
    vcse_only: bool = False
    sort: str = DEFAULT_SORT
    status: str = ""  # officers only; partners always see active appointments
    q: str = ""  # a supplier's name, a lot's title or number

    @property
    def is_filtered(self) -> bool:
        return bool(self.lot or self.area or self.scheme or self.vcse_only or self.status)


def _today() -> date:
    return timezone.localdate()


def _current_on(today: date) -> Q:
    """Active, not ended, on a framework whose term has not ended: for appointments, and for their tallies
    (`AppointmentTally`), whose fields have the same names."""
    return (
        Q(status=Appointment.Status.ACTIVE)
        & (Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        & Q(lot__framework__term_end__gte=today)
    )


def current_appointments(today: date | None = None) -> QuerySet[Appointment]:
    """Active appointments that have not ended, on a framework whose term has not ended: the suppliers a
    commissioner may call off from."""
    return Appointment.objects.filter(_current_on(today or _today()))


def shared_appointments(authority: Authority | int, today: date | None = None) -> QuerySet[Appointment]:
    """Current appointments a partner authority may see: consented, on a framework shared with it."""
    return current_appointments(today).shared_with(authority)


def published_appointments(today: date | None = None) -> QuerySet[Appointment]:
    """Current appointments whose supplier agreed to be named on the public pages."""
    return current_appointments(today).filter(consent_publish=True)


# Frameworks ----------------------------------------------------------------------------------------


def frameworks_shared_with(user: User) -> QuerySet[Framework]:
    """Frameworks whose partner authorities name the partner's authority (none for anyone else)."""
    if not (user.is_authenticated and user.role == User.Role.PARTNER and user.authority_id):
        return Framework.objects.none()
    return Framework.objects.filter(partner_authorities=user.authority_id).select_related("lead_authority")


def shared_frameworks(user: User, today: date | None = None) -> QuerySet[Framework]:
    """Frameworks shared with the partner's authority, each with how many suppliers they may see: added up
    from the suppliers each framework keeps per latest end (`SharedSupplierTally`, a few rows a framework),
    those still appointed today, instead of counting distinct suppliers over every appointment."""
    today = today or _today()
    visible_suppliers = (
        SharedSupplierTally.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today),
            framework=OuterRef("pk"),
            framework__term_end__gte=today,
        )
        .order_by()
        .values("framework")
        .annotate(n=Sum("suppliers"))
        .values("n")
    )
    return (
        frameworks_shared_with(user)
        .prefetch_related(Prefetch("lots", queryset=Lot.objects.published().order_by("number")))
        .annotate(shared_supplier_count=Coalesce(Subquery(visible_suppliers), 0))
        .order_by("title")
    )


def officer_frameworks(user: User) -> QuerySet[Framework]:
    """Frameworks an officer runs: those their authority leads (administrators see all)."""
    return (
        Framework.objects.filter(acting_for_filter(user, "lead_authority"))
        .select_related("lead_authority")
        .order_by("title")
    )


def coverage_frameworks(user: User) -> QuerySet[Framework]:
    """Frameworks whose coverage the user may read: officers their own, partners those shared."""
    if user.is_authenticated and user.role == User.Role.PARTNER:
        return frameworks_shared_with(user).order_by("title")
    return officer_frameworks(user)


# The approved list ---------------------------------------------------------------------------------


def _with_details(qs: QuerySet[Appointment], today: date) -> QuerySet[Appointment]:
    """Everything a row of the list shows, in four queries whatever the number of rows."""
    expired = Q(expires_on__isnull=False) & Q(expires_on__lt=today)
    accreditations = Accreditation.objects.annotate(
        is_expired=ExpressionWrapper(expired, output_field=BooleanField())
    ).order_by("scheme", "-expires_on", "pk")
    return qs.select_related("supplier", "lot", "lot__framework", "application").prefetch_related(
        Prefetch("areas", queryset=Area.objects.order_by("name")),
        Prefetch("supplier__accreditations", queryset=accreditations),
        Prefetch("application__consortium_members", queryset=ConsortiumMember.objects.order_by("pk")),
    )


def _filtered(qs: QuerySet[Appointment], filters: ApprovedListFilters, today: date) -> QuerySet:
    """The appointments the filters and the search keep, unordered."""
    if filters.lot is not None:
        qs = qs.filter(lot=filters.lot)
    if filters.area is not None:
        qs = qs.filter(areas=filters.area)
    if filters.scheme:
        current = Q(expires_on__isnull=True) | Q(expires_on__gte=today)
        equivalent = Q(scheme=AccreditationScheme.EQUIVALENT, equivalent_to=filters.scheme)
        satisfies = Q(scheme=filters.scheme) | equivalent
        held = Accreditation.objects.filter(current, satisfies, supplier=OuterRef("supplier_id"))
        qs = qs.filter(Exists(held))
    if filters.vcse_only:
        qs = qs.filter(supplier__is_vcse=True)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return search(qs, filters.q, APPROVED_LIST_SEARCH)


def _sort(filters: ApprovedListFilters) -> tuple[str, ...]:
    return SORTS.get(filters.sort, SORTS[DEFAULT_SORT])


# The officer's list shows current appointments first: active, then suspended, then removed.
CURRENT_FIRST = (
    Q(status=Appointment.Status.ACTIVE),
    Q(status=Appointment.Status.SUSPENDED),
    ~Q(status__in=[Appointment.Status.ACTIVE, Appointment.Status.SUSPENDED]),
)


def _current_first(qs: QuerySet[Appointment], filters: ApprovedListFilters) -> QuerySet[Appointment]:
    if filters.status:
        return qs.order_by(*_sort(filters))
    position = Case(*(When(group, then=Value(i)) for i, group in enumerate(CURRENT_FIRST)), output_field=IntegerField())
    return qs.annotate(current_first=position).order_by("current_first", *_sort(filters))


def shared_approved_list(
    framework: Framework,
    authority: Authority | int,
    filters: ApprovedListFilters | None = None,
    *,
    today: date | None = None,
) -> QuerySet[Appointment]:
    """The partner's list: one row per supplier per lot, consented and current, filtered and sorted.

    The page (a page of it at a time) and both exports (all of it) call this with the same filters,
    so an export holds exactly the rows of the filtered list, in the same order.
    """
    today = today or _today()
    filters = filters or ApprovedListFilters()
    qs = shared_appointments(authority, today).filter(lot__framework=framework)
    # Every row is active: ordered by the sort alone, PostgreSQL reads the first page off the suppliers' name
    # index instead of sorting every appointment of the framework.
    return _with_details(_filtered(qs, filters, today).order_by(*_sort(filters)), today)


def _officer_appointments(framework: Framework, filters: ApprovedListFilters, today: date) -> QuerySet[Appointment]:
    """Every appointment on the framework the filters keep, with what a row shows, unordered."""
    return _with_details(_filtered(Appointment.objects.filter(lot__framework=framework), filters, today), today)


def officer_approved_list(
    framework: Framework, filters: ApprovedListFilters | None = None, *, today: date | None = None
) -> QuerySet[Appointment]:
    """The officer's whole list: every appointment on the framework, whatever its status or consent,
    current ones first (the exports and the framework report read it whole)."""
    filters = filters or ApprovedListFilters()
    return _current_first(_officer_appointments(framework, filters, today or _today()), filters)


def officer_approved_list_pages(
    framework: Framework, filters: ApprovedListFilters | None = None, *, today: date | None = None
) -> InGroups | QuerySet[Appointment]:
    """`officer_approved_list` for the page, a page at a time: each status group's rows in the sort alone,
    which an index gives in order, instead of the database sorting every appointment by status first."""
    filters = filters or ApprovedListFilters()
    qs = _officer_appointments(framework, filters, today or _today())
    if filters.status:
        return qs.order_by(*_sort(filters))
    return InGroups(qs, CURRENT_FIRST, _sort(filters))


# What a row of the list's page shows, read as plain values (`page_rows`): the appointment's own columns,
# and its supplier's and lot's by the names the template reads them by.
ROW_FIELDS = (
    "pk",
    "supplier_id",
    "application_id",
    "starts_on",
    "ends_on",
    "status",
    "consent_share_with_partners",
    "consent_publish",
)
ROW_RELATED = {
    "legal_name": F("supplier__legal_name"),
    "trading_name": F("supplier__trading_name"),
    "is_vcse": F("supplier__is_vcse"),
    "contact_name": F("supplier__contact_name"),
    "contact_email": F("supplier__contact_email"),
    "contact_phone": F("supplier__contact_phone"),
    "lot_number": F("lot__number"),
    "lot_title": F("lot__title"),
}


def as_page_rows(
    appointments: QuerySet[Appointment] | InGroups, size: int | list[int] | None = None
) -> QuerySet | InGroups | Counted:
    """The list (as `shared_approved_list` or `officer_approved_list_pages` give it) read as the plain values
    a row of its page shows, in the same order, for `page_rows` to complete. A row of the page is a
    dictionary, not a model instance with a prefetched queryset for each of its related lists: the page
    reads and shows fifty of them, and the exports keep reading the instances. `size`, when the list's
    length is known from the tallies (`shared_list_size`, `officer_list_group_sizes`), spares the count."""
    if isinstance(appointments, InGroups):
        rows = appointments.queryset.values(*ROW_FIELDS, **ROW_RELATED)
        return InGroups(rows, appointments.groups, appointments.ordering, sizes=size)
    rows = appointments.prefetch_related(None).values(*ROW_FIELDS, **ROW_RELATED)
    return rows if size is None else Counted(rows, size)


def _whole_list(filters: ApprovedListFilters) -> bool:
    return not filters.is_filtered and not filters.q


def shared_list_size(framework: Framework, filters: ApprovedListFilters, *, today: date | None = None) -> int | None:
    """How many rows a partner's list of a framework shared with their authority has, added up from the
    appointment tallies (a few rows a lot) when it is not filtered; None when it is (its rows are counted)."""
    if not _whole_list(filters):
        return None
    current = AppointmentTally.objects.filter(_current_on(today or _today()), lot__framework=framework, shared=True)
    return current.aggregate(n=Sum("appointments"))["n"] or 0


def officer_list_group_sizes(framework: Framework, filters: ApprovedListFilters) -> list[int] | None:
    """How many appointments of each of the officer's list's groups (`CURRENT_FIRST`) the framework has, added
    up from the appointment tallies when the list is not filtered; None when it is (its groups are counted)."""
    if not _whole_list(filters) or filters.status:
        return None
    sizes = AppointmentTally.objects.filter(lot__framework=framework).aggregate(
        **{f"group_{i}": Sum("appointments", filter=group, default=0) for i, group in enumerate(CURRENT_FIRST)}
    )
    return [sizes[f"group_{i}"] for i in range(len(CURRENT_FIRST))]


def page_rows(rows: list[dict], today: date | None = None) -> list[dict]:
    """Completes the page's rows (from `as_page_rows`) with their areas, their supplier's accreditations and
    their consortium's members, each list in one query of plain values for the rows shown."""
    today = today or _today()
    rows = list(rows)
    areas = values_by(
        Appointment.areas.through.objects.order_by("area__name"),
        "appointment_id",
        [r["pk"] for r in rows],
        "area__name",
    )
    accreditations = values_by(
        Accreditation.objects.order_by("scheme", "-expires_on", "pk"),
        "supplier_id",
        {r["supplier_id"] for r in rows},
        "scheme",
        "equivalent_name",
        "level",
        "expires_on",
    )
    members = values_by(
        ConsortiumMember.objects.order_by("pk"),
        "application_id",
        {r["application_id"] for r in rows if r["application_id"]},
        "name",
        "role",
    )
    for row in rows:
        row["area_names"] = areas.get(row["pk"], [])
        row["accreditations"] = [
            {
                "name": Accreditation.name_of(scheme, equivalent_name),
                "level": level,
                "expires_on": expires_on,
                "is_expired": expires_on is not None and expires_on < today,
            }
            for scheme, equivalent_name, level, expires_on in accreditations.get(row["supplier_id"], [])
        ]
        row["members"] = [{"name": name, "role": role} for name, role in members.get(row["application_id"], [])]
    return rows


def lots_of(framework: Framework) -> QuerySet[Lot]:
    return Lot.objects.published().filter(framework=framework).order_by("number")


# Appointment history -------------------------------------------------------------------------------

TRACKED_FIELDS = {
    "status": "Status",
    "status_reason": "Reason",
    "starts_on": "Appointed from",
    "ends_on": "Appointed until",
    "consent_share_with_partners": "Consent to share with partners",
    "consent_publish": "Consent to publish",
}


@dataclass(frozen=True)
class HistoryEntry:
    when: object
    event: str
    by: str
    why: str
    changes: list[tuple[str, str, str]]
    areas: list[str]


def _display(record, field: str) -> str:
    value = getattr(record, field)
    if field == "status":
        return Appointment.Status(value).label if value else ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None or value == "":
        return "Not set"
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def _event_name(record, previous) -> str:
    if record.history_type == "+":
        return "Appointed" if record.status == Appointment.Status.ACTIVE else "Created"
    if record.history_type == "-":
        return "Deleted"
    if previous is not None and record.status != previous.status:
        return {
            Appointment.Status.ACTIVE: "Reinstated",
            Appointment.Status.SUSPENDED: "Suspended",
            Appointment.Status.REMOVED: "Removed",
        }.get(record.status, "Status changed")
    return "Changed"


def _historical_areas(records) -> dict[int, list[str]]:
    """The areas covered at each historical record, read in one query."""
    through = Appointment.history.model._meta.get_field("historicalappointment_areas").related_model
    areas: dict[int, list[str]] = {record.history_id: [] for record in records}
    rows = through.objects.filter(history__in=[r.history_id for r in records]).select_related("area")
    for row in rows:
        if row.area is not None:
            areas[row.history_id].append(row.area.name)
    return {history_id: sorted(names) for history_id, names in areas.items()}


def appointment_history(appointment: Appointment) -> list[HistoryEntry]:
    """When the appointment was made, suspended, reinstated or removed, by whom and why; newest first.

    Reads `Appointment.history` (django-simple-history) in two queries: the records with their
    users, and the areas covered at each point.
    """
    records = list(appointment.history.select_related("history_user").order_by("history_date", "history_id"))
    areas_at = _historical_areas(records)
    entries = []
    previous = None
    for record in records:
        areas = areas_at[record.history_id]
        changes = []
        if previous is not None:
            for field, label in TRACKED_FIELDS.items():
                if getattr(record, field) != getattr(previous, field):
                    changes.append((label, _display(previous, field), _display(record, field)))
            previous_areas = areas_at[previous.history_id]
            if areas != previous_areas:
                changes.append(("Areas", ", ".join(previous_areas) or "None", ", ".join(areas) or "None"))
        user = record.history_user
        status_moved = previous is None or record.status != previous.status
        entries.append(
            HistoryEntry(
                when=record.history_date,
                event=_event_name(record, previous),
                by=(user.full_name or user.email) if user else "System or data import",
                # The status reason explains a status move; other changes carry only their own reason.
                why=record.history_change_reason or (record.status_reason if status_moved else ""),
                changes=changes,
                areas=areas,
            )
        )
        previous = record
    entries.reverse()
    return entries


# Public reads --------------------------------------------------------------------------------------


def open_opportunities(now=None) -> QuerySet[ApplicationWindow]:
    """Application windows open now, soonest closing first, with their framework's lots."""
    return (
        ApplicationWindow.objects.open_at(now or timezone.now())
        .select_related("framework")
        .prefetch_related(Prefetch("framework__lots", queryset=Lot.objects.published().order_by("number")))
        .order_by("closes_at", "framework__title")
    )


def public_frameworks() -> QuerySet[Framework]:
    return Framework.objects.select_related("lead_authority").order_by("title")


def published_lots(framework: Framework, today: date | None = None) -> list[Lot]:
    """The framework's lots, each with the suppliers who consented to publication and their areas.

    Only names and areas are read for the public: nothing else of the supplier is loaded.
    """
    appointments = (
        published_appointments(today)
        .select_related("supplier")
        .only("pk", "lot_id", "starts_on", "supplier__legal_name", "supplier__trading_name")
        .prefetch_related(Prefetch("areas", queryset=Area.objects.order_by("name")))
        .order_by("supplier__legal_name")
    )
    return list(
        Lot.objects.published()
        .filter(framework=framework)
        .order_by("number")
        .prefetch_related(Prefetch("appointments", queryset=appointments, to_attr="published"))
    )
