"""Template tags of the selection stage."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.text import capfirst

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
