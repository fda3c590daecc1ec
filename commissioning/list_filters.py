"""The drop-down filters above a long list (lot, supplier, authority and the like), applied one way."""

from __future__ import annotations

from django.db.models import QuerySet


def filtered_by_choices(qs: QuerySet, **choices: object) -> QuerySet:
    """The rows matching every filter that was chosen; one left empty ("any") does not narrow the list.

    The lookups are combined in one `filter`, so use it for single-valued ones (a foreign key's id): across a
    many-valued relation that would mean one related row matching all of them, not chained conditions."""
    chosen = {lookup: value for lookup, value in choices.items() if value}
    return qs.filter(**chosen) if chosen else qs
