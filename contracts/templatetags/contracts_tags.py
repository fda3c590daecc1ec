"""Money, status tags and dates for the contracts pages."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html

from commissioning.dates import financial_year_label, long_date
from commissioning.numbers import format_money
from commissioning.row_urls import row_url

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


REGISTER_ROW = (
    '<tr class="govuk-table__row">'
    '<td class="govuk-table__cell"><a class="govuk-link" href="{}">{}</a><br><span class="govuk-body-s">{}</span></td>'
    '<td class="govuk-table__cell">{}</td>'
    '<td class="govuk-table__cell">{}</td>'
    '<td class="govuk-table__cell">{} to {}<br><span class="govuk-body-s">{}</span></td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
    '<td class="govuk-table__cell">{}</td>'
    "</tr>"
)


@register.simple_tag
def register_row(contract, today) -> str:
    """A row of the contracts register (escaped as the template would). Written here, not cell by cell in the
    template: a row's two dozen variables and filters made the fifty rows about a quarter of the page's time
    (tests/contracts/test_register_rows.py checks it against the markup the template wrote)."""
    described = [contract.reference, contract.get_kind_display()]
    if contract.lot:
        described.append(f"{contract.lot.framework.reference} lot {contract.lot.number}")
    if getattr(contract, "area_names", None):
        described.append(", ".join(contract.area_names))
    return format_html(
        REGISTER_ROW,
        row_url("contracts:officer_contract", contract.pk),
        contract.title,
        " · ".join(described),
        contract.supplier.legal_name,
        contract.buying_authority.name,
        long_date(contract.start_on),
        long_date(contract.effective_end_on),
        contract.term_description,
        format_money(contract.year_value),
        format_money(contract.total_value),
        status_tag(contract, today),
    )
