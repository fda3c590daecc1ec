"""The returns dashboard's rows."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from commissioning.dates import short_date
from commissioning.row_urls import row_url

register = template.Library()

DASHBOARD_ROW = (
    '<tr class="govuk-table__row">'
    '<td class="govuk-table__cell">{}<br><span class="govuk-body-s">{}: {}</span></td>'
    '<td class="govuk-table__cell">{}</td>'
    '<td class="govuk-table__cell">{}</td>'
    '<td class="govuk-table__cell"><strong class="govuk-tag {}">{}</strong></td>'
    '<td class="govuk-table__cell"><strong class="govuk-tag {}">{}</strong></td>'
    '<td class="govuk-table__cell">{}</td>'
    "</tr>"
)


@register.simple_tag
def dashboard_row(slot) -> str:
    """A row of the returns dashboard (a contract in force and its return, if any), escaped as the template
    would. Written here, not cell by cell in the template, where a row's two dozen variables made the fifty
    rows about a quarter of the page's time (tests/monitoring/test_dashboard_rows.py checks it against the
    markup the template wrote)."""
    contract, sent = slot.contract, slot.quarterly_return
    supplier = contract.supplier.legal_name
    if sent is not None:
        link = format_html(
            '<a class="govuk-link" href="{}">{}'
            '<span class="govuk-visually-hidden"> the return from {} for {}</span></a>',
            row_url("monitoring:review", sent.pk),
            "Review" if sent.is_awaiting_review else "View",
            supplier,
            contract.reference,
        )
    else:
        link = format_html(
            '<a class="govuk-link" href="{}">Targets<span class="govuk-visually-hidden"> of {}</span></a>',
            row_url("monitoring:targets", contract.pk),
            contract.reference,
        )
    lot = f"{contract.lot.framework.reference} lot {contract.lot.number}" if contract.lot else "None"
    return format_html(
        DASHBOARD_ROW,
        supplier,
        contract.reference,
        contract.title,
        lot,
        short_date(slot.due_on) if slot.due_on else "",
        slot.status_tag,
        slot.status_label,
        slot.timeliness_tag,
        slot.timeliness_label,
        link,
    )
