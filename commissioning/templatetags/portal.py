"""Template filters shared by every app."""

from django import template
from django.utils import timezone

from commissioning.dates import long_date

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
    """£1,351,368 or £296,973.50: pounds with commas, pence only when there are any."""
    if value is None or value == "":
        return ""
    amount = float(value)
    return f"£{amount:,.0f}" if amount == int(amount) else f"£{amount:,.2f}"


@register.filter(name="long_date")
def long_date_filter(value) -> str:
    """1 April 2018; empty for no date."""
    return long_date(value) if value else ""
