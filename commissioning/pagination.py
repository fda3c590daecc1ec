"""Long lists are shown a page at a time, so a page costs the same with 50 rows or 50,000."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import HttpRequest

PER_PAGE = 50


def paginate(request: HttpRequest, items, per_page: int = PER_PAGE, *, param: str = "page") -> Page:
    """One page of `items`, numbered by the query parameter `param` (two lists on one page need two).
    A page number that is not a number shows the first page; one past the end shows the last."""
    paginator = Paginator(items, per_page)
    try:
        return paginator.page(request.GET.get(param) or 1)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


def filters_query(request: HttpRequest) -> str:
    """The current filters without the page number: what an export of the whole filtered list needs."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _without_prefetches(queryset: QuerySet) -> tuple[QuerySet, tuple]:
    """The queryset without its prefetches, and those prefetches, to run once for rows read group by group."""
    return queryset.prefetch_related(None), queryset._prefetch_related_lookups


# Lists in groups ---------------------------------------------------------------------------------------
#
# "Current ones first, then by name" ordered by an expression (a CASE over the status) makes the database
# sort every row of the list to show the first fifty; ordered by the name alone within each group, each
# group's page is read off an index on the name.


class InGroups:
    """A list ordered by group (the `groups`, disjoint conditions covering every row, in their order), then
    by `ordering` within each group, for `Paginator`: a page asks each group it spans for its slice, in the
    group's order alone, and the prefetches run once for the page. The count is one query (a count per
    group) that tells which groups a page spans.

    The rows and their order are those of `queryset.order_by(<the group's position>, *ordering)`, which an
    export of the whole list can keep using."""

    def __init__(
        self, queryset: QuerySet, groups: Sequence[Q], ordering: Sequence[str], *, sizes: Sequence[int] | None = None
    ) -> None:
        """`sizes`: each group's size when it is already known (kept in a tally), so it is not counted."""
        queryset, self.lookups = _without_prefetches(queryset)
        self.queryset = queryset.order_by()
        self.groups = list(groups)
        self.ordering = list(ordering)
        self._sizes: list[int] | None = list(sizes) if sizes is not None else None

    def sizes(self) -> list[int]:
        if self._sizes is None:
            counts = self.queryset.aggregate(
                **{f"group_{i}": Count("pk", filter=group) for i, group in enumerate(self.groups)}
            )
            self._sizes = [counts[f"group_{i}"] for i in range(len(self.groups))]
        return self._sizes

    def count(self) -> int:
        return sum(self.sizes())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("InGroups is read a page (a slice) at a time")
        start, stop = key.start or 0, key.stop if key.stop is not None else self.count()
        rows: list = []
        group_start = 0
        for group, size in zip(self.groups, self.sizes(), strict=True):
            low, high = max(start - group_start, 0), min(stop - group_start, size)
            if low < high:
                rows += self.queryset.filter(group).order_by(*self.ordering)[low:high]
            group_start += size
        prefetch_related_objects(rows, *self.lookups)
        return rows


class Counted:
    """A queryset whose length is already known (kept in a tally), for `Paginator`, which then reads only
    the page's slice of it instead of counting it first."""

    def __init__(self, queryset: QuerySet, count: int) -> None:
        self.queryset = queryset
        self._count = count

    def count(self) -> int:
        return self._count

    def __getitem__(self, key: slice) -> QuerySet:
        return self.queryset[key]


# Keyset pagination ---------------------------------------------------------------------------------------
#
# A numbered page N makes the database count every row and skip N × 50 of them; a keyset page asks for
# the fifty rows after (or before) the last one shown, which an index on the list's order finds directly,
# so page 1 and page 400 of a list of 20,000 cost the same. The link carries the boundary row's ordering
# values, signed so that it is opaque; the ordering must end with a unique field (the primary key) and its
# fields must not be null.


@dataclass
class KeysetPage:
    object_list: list
    param: str
    has_next: bool
    has_previous: bool
    next_cursor: str = ""
    previous_cursor: str = ""
    first_page: bool = True

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _value_of(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, "pk" if part == "pk" else part)
    return obj


def _field_of(model, path: str):
    field = None
    for part in path.split("__"):
        field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        if field.is_relation:
            model = field.related_model
    return field


# Cursors carry their group first (`keyset_paginate`'s groups). Those signed before did not, and one of the
# register's old order (is_over, end, reference, pk) has as many values as a grouped cursor of its new order
# (group, end, reference, pk): a salt of their own makes every older cursor "not ours" (the first page) instead
# of its is_over being read as a group.
CURSOR_SALT = "keyset.grouped"


def _encode(values: list) -> str:
    return signing.dumps(values, salt=CURSOR_SALT, compress=True, serializer=_CursorSerializer)


class _CursorEncoder(DjangoJSONEncoder):
    """Times to the microsecond (Django's encoder keeps milliseconds, which would skip or repeat rows)."""

    def default(self, o):
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


class _CursorSerializer:
    def dumps(self, obj) -> bytes:
        return json.dumps(obj, cls=_CursorEncoder, separators=(",", ":")).encode()

    def loads(self, data: bytes):
        return json.loads(data)


def _cursor_value(model, name: str, value):
    """A cursor's value as the database compares it: through the model field's `to_python`, or, for an
    annotation (a computed column such as a year's value), a number where it reads as one."""
    try:
        return _field_of(model, name).to_python(value)
    except FieldDoesNotExist:
        if isinstance(value, str):
            try:
                return Decimal(value)
            except InvalidOperation:
                return value
        return value


def _decode(model, fields: list[tuple[str, bool]], token: str, groups: int) -> tuple[int, list] | None:
    """The cursor's group and ordering values, or None for a cursor that is not ours (or is out of date)."""
    try:
        raw = signing.loads(token, salt=CURSOR_SALT, serializer=_CursorSerializer)
        if not isinstance(raw, list) or len(raw) != len(fields) + 1:
            return None
        group, *values = raw
        if not isinstance(group, int) or not 0 <= group < groups:
            return None
        return group, [_cursor_value(model, name, value) for (name, _), value in zip(fields, values, strict=True)]
    except (signing.BadSignature, ValueError, TypeError, LookupError, ValidationError):
        return None


def _beyond(fields: list[tuple[str, bool]], values: list, *, forwards: bool) -> Q:
    """Rows after `values` in the ordering (before them when not `forwards`), as (a > x) or (a = x and
    b > y) or ..., which the database answers from an index on the same fields."""
    condition = Q(pk__in=[])
    for i, (name, descending) in enumerate(fields):
        lookup = "lt" if descending == forwards else "gt"
        term = Q(**{f"{name}__{lookup}": values[i]})
        for earlier, value in zip(fields[:i], values[:i], strict=True):
            term &= Q(**{earlier[0]: value})
        condition |= term
    return condition


def _rows_from(
    queryset: QuerySet,
    groups: Sequence[Q],
    ordering: Sequence[str],
    fields: list[tuple[str, bool]],
    cursor: tuple[int, list] | None,
    wanted: int,
    *,
    forwards: bool,
) -> list[tuple[int, object]]:
    """Up to `wanted` (group, row) pairs after the cursor (before it, nearest first, when not `forwards`):
    the rest of the cursor's group, then the next groups', each read in its own order off its own index, until
    the page is full: a page makes at most one query per group however many rows each holds. A full page asks
    nothing of the groups after it (asking them for one key, to make the same number of queries every time,
    cost a prepared plan that expects many rows a scan of the whole table when the group was empty)."""
    if not forwards:
        ordering = [name[1:] if name.startswith("-") else f"-{name}" for name in ordering]
    start = cursor[0] if cursor else (0 if forwards else len(groups) - 1)
    positions = range(start, len(groups)) if forwards else range(start, -1, -1)
    found: list[tuple[int, object]] = []
    for position in positions:
        if len(found) >= wanted:
            break
        rows = queryset.filter(groups[position])
        if cursor and position == cursor[0]:
            rows = rows.filter(_beyond(fields, cursor[1], forwards=forwards))
        found += [(position, row) for row in rows.order_by(*ordering)[: wanted - len(found)]]
    return found


def keyset_paginate(
    request: HttpRequest,
    queryset: QuerySet,
    ordering: Sequence[str],
    per_page: int = PER_PAGE,
    *,
    param: str = "page",
    groups: Sequence[Q] = (),
) -> KeysetPage:
    """One page of `queryset` in `ordering` (e.g. ["-created_at", "-pk"]), after or before the row whose
    signed cursor is in the query parameter `param`. No count, no offset: two pages away from the start
    cost what the first does. A cursor that is not ours shows the first page.

    With `groups` (disjoint conditions covering every row, e.g. current contracts, then the rest), the list is
    ordered by group first, then by `ordering` within each: a page reads the groups it spans one after the
    other, each in `ordering` alone, so an index on `ordering` serves every group, where ordering by a
    computed group makes the database sort every row. The prefetches of `queryset` run once for the page."""
    groups = list(groups) or [Q()]
    queryset, lookups = _without_prefetches(queryset)
    fields = [(name.lstrip("-"), name.startswith("-")) for name in ordering]
    token = request.GET.get(param) or ""
    direction, _, body = token.partition(".")
    cursor = _decode(queryset.model, fields, body, len(groups)) if direction in {"n", "p"} and body else None
    forwards = direction != "p" or cursor is None
    found = _rows_from(queryset, groups, ordering, fields, cursor, per_page + 1, forwards=forwards)
    more, found = len(found) > per_page, found[:per_page]
    if forwards:
        page = KeysetPage([], param, has_next=more, has_previous=cursor is not None, first_page=cursor is None)
    else:
        found.reverse()
        page = KeysetPage([], param, has_next=True, has_previous=more, first_page=not more)
    page.object_list = [row for _, row in found]
    prefetch_related_objects(page.object_list, *lookups)
    if found:
        (first_group, first), (last_group, last) = found[0], found[-1]
        page.next_cursor = "n." + _encode([last_group, *(_value_of(last, name) for name, _ in fields)])
        page.previous_cursor = "p." + _encode([first_group, *(_value_of(first, name) for name, _ in fields)])
    return page


def related_count(queryset: QuerySet, to_outer: str) -> Coalesce:
    """How many rows of `queryset` point at the outer row (through the field path `to_outer`), as a
    correlated subquery: the database counts for the fifty rows of a page only, where a joined Count
    with GROUP BY makes it group every row of the list before it can sort and cut it."""
    counted = (
        queryset.filter(**{to_outer: OuterRef("pk")})
        .order_by()
        .values(to_outer)
        .annotate(n=Count("pk", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def values_by(queryset: QuerySet, via: str, keys: Iterable, *values: str) -> dict[object, list]:
    """The `values` of each row of `queryset` pointing through `via` at one of `keys`, listed by that key (in
    the queryset's order): plain values in one query (none for no keys). One value gives the values
    themselves; several, a tuple of them a row."""
    found: dict[object, list] = {}
    for key, *items in queryset.filter(**{f"{via}__in": list(keys)}).values_list(via, *values):
        found.setdefault(key, []).append(items[0] if len(values) == 1 else tuple(items))
    return found


def attach_values(rows: list, queryset: QuerySet, *, via: str, value: str, to: str) -> list:
    """Gives each row shown, as attribute `to`, the `value` of each row of `queryset` pointing at it through
    `via` (in the queryset's order): plain values in one query for the page's rows. A prefetch builds a model
    instance, and a queryset per row, for each related row, when a list shows only a name or a number."""
    found = values_by(queryset, via, [row.pk for row in rows], value)
    for row in rows:
        setattr(row, to, found.get(row.pk, []))
    return rows


def with_area_names(rows: list) -> list:
    """Gives each row shown (of a model with an `areas` many-to-many: competitions, contracts) `area_names`,
    in alphabetical order, through `attach_values`."""
    if not rows:
        return rows
    areas = type(rows[0])._meta.get_field("areas")
    names = areas.remote_field.through.objects.order_by("area__name")
    return attach_values(rows, names, via=areas.m2m_field_name(), value="area__name", to="area_names")
