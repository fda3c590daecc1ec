"""Money, status tags and dates for the contracts pages."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html

from commissioning.dates import financial_year_label, long_date
from commissioning.numbers import format_money

register = template.Library()

STATUS_TAG_CLASSES = {
    "draft": "govuk-tag--grey",
    "live": "govuk-tag--green",
    "final_six_months": "govuk-tag--yellow",
    "ended": "govuk-tag--grey",
    "terminated": "govuk-tag--red",
}


@register.filter
def money(value) -> str:
    """£1,351,368 for whole pounds, £1,351,368.50 otherwise; an em dash for no value."""
    return format_money(value, empty="—")


@register.filter
def deduction(value) -> str:
    """An amount taken away, as a budget table writes it: −£1,489,613, and £0 when nothing is taken."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    return format_money(-amount) if amount > 0 else format_money(abs(amount))


@register.filter
def fy(value) -> str:
    """2018 -> 2018/19."""
    if value in (None, ""):
        return ""
    return financial_year_label(int(value))


@register.simple_tag
def status_tag(contract, today) -> str:
    status = contract.status_on(today)
    label = contract.Status(status).label
    return format_html('<strong class="govuk-tag {}">{}</strong>', STATUS_TAG_CLASSES[status], label)


@register.filter(name="long_date")
def long_date_filter(value) -> str:
    return long_date(value) if value else ""
