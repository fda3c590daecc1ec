"""Search boxes and sortable columns for long lists, one way everywhere.

`search` narrows a queryset by what someone typed (a reference, a supplier's name, a title): full-text
search (`SearchVector`/`SearchQuery`) on PostgreSQL, with the reference also matched as typed, since a
reference such as "WMOPCC-DASAA-2025" is not a word; a simple case-insensitive match of every word on
SQLite. `Sorting` reads `?sort=<key>&order=asc|desc` against a whitelist of columns, so nothing a user
types reaches `order_by`, and gives each column header the link and `aria-sort` it needs; every other
query parameter (the filters, the search) is kept in the links and the page number is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import HttpRequest

MAX_QUERY = 100  # longer text is cut: a search box is not a document


def clean_query(text: str | None) -> str:
    """What was typed, with runs of white space made one and control characters (a NUL, which PostgreSQL
    refuses in any string) dropped."""
    printable = "".join(ch for ch in (text or "") if ch.isprintable() or ch.isspace())
    return " ".join(printable.split())[:MAX_QUERY]


def search(qs: QuerySet, text: str | None, fields: Sequence[str], *, distinct: bool = False) -> QuerySet:
    """The rows matching `text` in any of `fields` (the first is the reference, also matched as typed).
    Say `distinct` when a field crosses a many-valued relation, so a row is not listed twice."""
    text = clean_query(text)
    if not text or not fields:
        return qs
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        query = SearchQuery(text, search_type="websearch", config="simple")
        matches = qs.annotate(_search=SearchVector(*fields, config="simple")).filter(
            Q(_search=query) | Q(**{f"{fields[0]}__icontains": text})
        )
        return matches.distinct() if distinct else matches
    matched = qs
    for word in text.split():
        matched = matched.filter(reduce(or_, (Q(**{f"{field}__icontains": word}) for field in fields)))
    return matched.distinct() if distinct else matched


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    ordering: tuple[str, ...]  # ascending; descending reverses each
    numeric: bool = False


@dataclass(frozen=True)
class Header:
    label: str
    url: str
    aria_sort: str  # "ascending", "descending" or "none"
    next_order: str
    numeric: bool = False


def _flip(field: str) -> str:
    return field[1:] if field.startswith("-") else f"-{field}"


class Sorting:
    """The whitelisted sort of a list, read from the request."""

    def __init__(self, request: HttpRequest, columns: Sequence[Column], *, default: tuple[str, ...] = ()):
        self.columns = {column.key: column for column in columns}
        self.params = request.GET.copy()
        self.params.pop("page", None)
        key = request.GET.get("sort", "")
        self.column = self.columns.get(key)
        self.descending = self.column is not None and request.GET.get("order") == "desc"
        self.default = default

    def order_by(self, *tiebreak: str) -> list[str]:
        """The ordering to apply: the chosen column (then the default), or the default alone."""
        if self.column is None:
            return [*self.default, *tiebreak]
        chosen = [_flip(f) for f in self.column.ordering] if self.descending else list(self.column.ordering)
        return [*chosen, *tiebreak]

    def apply(self, qs: QuerySet, *tiebreak: str) -> QuerySet:
        return qs.order_by(*self.order_by(*tiebreak))

    def headers(self) -> dict[str, Header]:
        found = {}
        for key, column in self.columns.items():
            current = self.column is not None and self.column.key == key
            order = "asc" if not current or self.descending else "desc"
            params = self.params.copy()
            params["sort"], params["order"] = key, order
            found[key] = Header(
                label=column.label,
                url="?" + params.urlencode(),
                aria_sort=("descending" if self.descending else "ascending") if current else "none",
                next_order="ascending" if order == "asc" else "descending",
                numeric=column.numeric,
            )
        return found


# A filter lists at most this many options; beyond, it lists the one chosen and the search box finds the
# rest (a select of 3,000 providers is no help to anyone, and reading them all slows every view).
LISTED_UP_TO = 150
TOO_MANY_TO_LIST = f"More than {LISTED_UP_TO}: search by name to find one."


def listed_up_to(rows: QuerySet, selected: str | int | None) -> tuple[list, bool]:
    """The choices of a filter over a list that can run to thousands (`rows`: (pk, label) values in the
    order shown): all of them when there are at most LISTED_UP_TO, else only the one selected. Returns
    them and whether the list was cut. Reads at most LISTED_UP_TO + 1 rows."""
    listed = list(rows[: LISTED_UP_TO + 1])
    if len(listed) <= LISTED_UP_TO:
        return listed, False
    try:
        chosen = int(str(selected or ""))
    except ValueError:
        return [], True
    return list(rows.filter(pk=chosen)), True
