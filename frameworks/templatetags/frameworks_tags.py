"""Template tags of the selection stage."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst

from commissioning.dates import long_date
from commissioning.row_urls import row_url

register = template.Library()

# Task-list and record statuses: (label, GOV.UK tag colour modifier).
STATUS_TAGS = {
    "completed": ("Completed", ""),
    "in progress": ("In progress", "light-blue"),
    "not started": ("Not started", "grey"),
    "needs action": ("Needs action", "red"),
    "draft": ("Draft", "grey"),
    "submitted": ("Submitted", "blue"),
    "clarification": ("Clarification requested", "yellow"),
    "evaluated": ("Evaluated", "purple"),
    "decided": ("Decided", "green"),
    "withdrawn": ("Withdrawn", "grey"),
    "appointed": ("Appointed", "green"),
    "active": ("Active", "green"),
    "unsuccessful": ("Unsuccessful", "red"),
    "removed": ("Removed", "red"),
    "suspended": ("Suspended", "orange"),
    "pending": ("Awaiting decision", "grey"),
}


@register.simple_tag
def status_tag(status) -> str:
    """A GOV.UK tag for a task-list or record status: one dictionary lookup per row of a long list."""
    label, colour = STATUS_TAGS.get(status, (capfirst(str(status or "")), "grey"))
    if colour:
        return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, label)
    return format_html('<strong class="govuk-tag">{}</strong>', label)


def _accreditation_item(accreditation: dict) -> SafeString:
    level = f", {accreditation['level']}" if accreditation["level"] else ""
    if accreditation["is_expired"]:
        return format_html(
            '<li>{}{}<br><strong class="govuk-tag govuk-tag--red">Expired</strong> on {}</li>',
            accreditation["name"],
            level,
            long_date(accreditation["expires_on"]),
        )
    if accreditation["expires_on"]:
        return format_html(
            "<li>{}{}<br>Expires {}</li>", accreditation["name"], level, long_date(accreditation["expires_on"])
        )
    return format_html("<li>{}{}<br>No expiry date</li>", accreditation["name"], level)


# An appointment's status on the officers' list: (tag colour, label); any other status is a removal.
APPOINTMENT_STATUS_TAGS = {"active": ("green", "Active"), "suspended": ("yellow", "Suspended")}
LIST = '<ul class="govuk-list govuk-!-font-size-16 govuk-!-margin-bottom-0">{}</ul>'
TAG = '<strong class="govuk-tag govuk-tag--{}">{}</strong>'


def _list_of(items: list[SafeString], empty: str) -> SafeString:
    listed = format_html_join("", "{}", ((item,) for item in items))
    return format_html(LIST, listed or format_html("<li>{}</li>", empty))


@register.simple_tag
def approved_row(appointment: dict, officer_columns: bool = False) -> SafeString:
    """A row of a framework's approved list (a dict from `partner_selectors.page_rows`), as officers (with
    the status and consent column) and partners see it. Written here rather than cell by cell in the
    template: fifty rows of two dozen variables, loops and filters were about two fifths of the page's time
    (tests/frameworks/test_approved_rows.py checks it against the markup the template wrote)."""
    supplier = conditional_escape(appointment["legal_name"])
    if appointment["trading_name"]:
        supplier += format_html('<br><span class="govuk-body-s">Trading as {}</span>', appointment["trading_name"])
    if appointment["is_vcse"]:
        supplier += format_html("<br>" + TAG, "green", "VCSE")
    accreditations = _list_of([_accreditation_item(a) for a in appointment["accreditations"]], "None recorded")
    if appointment["application_id"]:
        members = [format_html("<li>{} ({})</li>", m["name"], m["role"]) for m in appointment["members"]]
        consortium = _list_of(members, "Not a consortium")
    else:
        consortium = "Not a consortium"
    contact = conditional_escape("")
    if appointment["contact_name"]:
        contact += format_html("{}<br>", appointment["contact_name"])
    if appointment["contact_email"]:
        email = appointment["contact_email"]
        contact += format_html('<a class="govuk-link" href="mailto:{}">{}</a><br>', email, email)
    if appointment["contact_phone"]:
        contact += conditional_escape(appointment["contact_phone"])
    appointed = format_html("From {}", long_date(appointment["starts_on"]))
    if appointment["ends_on"]:
        appointed += format_html("<br>until {}", long_date(appointment["ends_on"]))
    status = ""
    if officer_columns:
        status = format_html(
            '<td class="govuk-table__cell">' + TAG + "<br>Shared with partners: {}<br>Published: {}<br>"
            '<a class="govuk-link" href="{}">History<span class="govuk-visually-hidden"> of {} on lot {}</span></a>'
            "</td>",
            *APPOINTMENT_STATUS_TAGS.get(appointment["status"], ("grey", "Removed")),
            "yes" if appointment["consent_share_with_partners"] else "no",
            "yes" if appointment["consent_publish"] else "no",
            row_url("approved_list:appointment_history", appointment["pk"]),
            appointment["legal_name"],
            appointment["lot_number"],
        )
    return format_html(
        '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{}</th>'
        '<td class="govuk-table__cell">Lot {}: {}</td>'
        '<td class="govuk-table__cell">{}</td>'
        '<td class="govuk-table__cell">{}</td>'
        '<td class="govuk-table__cell">{}</td>'
        '<td class="govuk-table__cell">{}</td>'
        '<td class="govuk-table__cell">{}</td>'
        "{}</tr>",
        supplier,
        appointment["lot_number"],
        appointment["lot_title"],
        ", ".join(appointment["area_names"]) or "None recorded",
        accreditations,
        consortium,
        contact or "Not given",
        appointed,
        status,
    )
