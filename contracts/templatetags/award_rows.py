"""The rows of the officers' competitions and direct awards lists, each written by one tag instead of cell by
cell in the template: the two tables of fifty rows were close to half of the page's time. Escaped as the
template would; tests/contracts/test_award_rows.py checks them against the markup the template wrote."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from commissioning import wording
from commissioning.numbers import format_money
from commissioning.row_urls import row_url

register = template.Library()

COMPETITION_ROW = (
    '<tr class="govuk-table__row">'
    '<td class="govuk-table__cell"><a class="govuk-link" href="{}">{}</a><br>{}<br>'
    '<span class="govuk-body-s">Owner: {}</span></td>'
    '<td class="govuk-table__cell">{}</td>'
    '<td class="govuk-table__cell">{}</td>'
    '<td class="govuk-table__cell">{}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
    '<td class="govuk-table__cell"><strong class="govuk-tag{}">{}</strong></td>'
    "</tr>"
)
COMPETITION_TAGS = {"draft": " govuk-tag--grey", "cancelled": " govuk-tag--grey", "contracted": " govuk-tag--green"}

DIRECT_AWARD_ROW = (
    '<tr class="govuk-table__row">'
    '<td class="govuk-table__cell"><a class="govuk-link" href="{}">{}</a><br>{}</td>'
    '<td class="govuk-table__cell">{}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
    '<td class="govuk-table__cell">{}</td>'
    '<td class="govuk-table__cell"><strong class="govuk-tag{}">{}</strong></td>'
    "</tr>"
)
DIRECT_AWARD_TAGS = {"approved": " govuk-tag--green", "rejected": " govuk-tag--red"}


@register.simple_tag
def competition_row(competition) -> str:
    """A competition as a row: its link, kind, areas, closing time, responses and state (`state`, set by the
    view)."""
    if competition.framework_lot:
        lot = competition.framework_lot
        kind = f"Mini-competition, {lot.framework.reference} lot {lot.number}"
    else:
        count = competition.lot_count
        kind = f"Expression of interest, {count} lot{'' if count == 1 else 's'}"
    return format_html(
        COMPETITION_ROW,
        row_url("awards:officer_competition", competition.pk),
        competition.reference,
        competition.title,
        competition.owner.full_name,
        kind,
        ", ".join(getattr(competition, "area_names", None) or []) or "–",
        wording.when(competition.closes_at, weekday=True) if competition.closes_at else "",
        competition.received,
        COMPETITION_TAGS.get(competition.status, ""),
        competition.state,
    )


@register.simple_tag
def direct_award_row(award) -> str:
    """A direct award as a row: its link, supplier, annual value, requester and status."""
    return format_html(
        DIRECT_AWARD_ROW,
        row_url("awards:officer_direct_award", award.pk),
        award.reference,
        award.title,
        award.supplier.legal_name,
        format_money(award.annual_value),
        award.requested_by.full_name,
        DIRECT_AWARD_TAGS.get(award.status, " govuk-tag--yellow"),
        award.get_status_display(),
    )
