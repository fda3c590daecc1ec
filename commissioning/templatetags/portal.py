"""Template filters shared by every app."""

from django import template
from django.utils import timezone

from commissioning.dates import long_date
from commissioning.numbers import format_money

register = template.Library()


@register.filter
def deadline(value) -> str:
    """A deadline as GOV.UK style writes it, in UK time: '5:00pm on Friday 18 December 2026'."""
    if not value:
        return ""
    local = timezone.localtime(value)
    hour = local.strftime("%I").lstrip("0") or "12"
    return f"{hour}:{local:%M}{local.strftime('%p').lower()} on {local:%A} {local.day} {local:%B %Y}"


@register.filter
def money(value) -> str:
    """£1,351,368 or £296,973.50: pounds with commas, pence only when there are any (`format_money`)."""
    return format_money(value)


@register.filter(name="long_date")
def long_date_filter(value) -> str:
    """1 April 2018; empty for no date."""
    return long_date(value) if value else ""
