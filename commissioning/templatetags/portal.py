"""Template filters shared by every app: one way to write times, money and audit actions."""

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django import template

from commissioning import wording
from commissioning.dates import long_date
from commissioning.numbers import format_money
from commissioning.row_urls import row_url as _row_url

register = template.Library()


def _nothing_for_empty(write: Callable[[Any], str]) -> Callable[[Any], str]:
    """A filter that writes nothing for an empty value (no date, no action) instead of calling `write`."""

    @functools.wraps(write)
    def write_or_nothing(value) -> str:
        return write(value) if value else ""

    return write_or_nothing


@register.filter
@_nothing_for_empty
def deadline(value) -> str:
    """A deadline as GOV.UK style writes it, in UK time: '5pm on Friday 18 December 2026'."""
    return wording.when(value, weekday=True)


@register.filter
@_nothing_for_empty
def when(value) -> str:
    """A moment in UK time, GOV.UK style: '5pm on 3 February 2023', '11:06am on 3 February 2023'."""
    return wording.when(value)


@register.filter
@_nothing_for_empty
def when_exact(value) -> str:
    """A moment to the second, for receipts and extracts: '11:06:28pm on 3 February 2023'. Takes an
    ISO 8601 text too (a receipt kept in JSON)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return wording.when(value, seconds=True)


@register.filter
@_nothing_for_empty
def time_of_day(value) -> str:
    """'5pm', '11:06am', 'midday'."""
    return wording.time_of_day(value)


@register.filter
def money(value) -> str:
    """£1,351,368 or £296,973.50: pounds with commas, pence only when there are any (`format_money`)."""
    return format_money(value)


@register.filter
@_nothing_for_empty
def action_label(value) -> str:
    """An audit action as people say it: 'Meeting action added'."""
    return wording.action_label(value)


@register.filter(name="long_date")
@_nothing_for_empty
def long_date_filter(value) -> str:
    """1 April 2018; empty for no date."""
    return long_date(value)


@register.simple_tag
def row_url(name: str, pk) -> str:
    """{% row_url 'awards:officer_competition' c.pk %}: `{% url %}` for a list's rows, each linking to its own
    page by its key (see commissioning.row_urls)."""
    return _row_url(name, pk)
