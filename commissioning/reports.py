"""The registry of PDF reports, and the audit trail extract.

Every PDF of the portal is a registered report: a Django template (extending `pdf/base.html`), a
function that builds its context from the `GeneratedDocument` row, and two permission callables
`(user, target) -> bool`, backed by rules predicates. `documents.request_document` and the
`generate_document` task do the rest, so no app writes its own queueing, storage or download code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import models
from django.utils import dateformat, timezone

from .audit import shown, shown_all, verify_chain
from .models import AuditEvent, GeneratedDocument, User
from .rules import is_officer

Permission = Callable[[User, models.Model | None], bool]
Title = str | Callable[[models.Model | None, dict[str, Any]], str]


@dataclass(frozen=True)
class Report:
    kind: str
    title: Title
    template: str
    build_context: Callable[[GeneratedDocument], dict[str, Any]]
    can_request: Permission
    can_view: Permission

    def title_for(self, target: models.Model | None, params: dict[str, Any]) -> str:
        return self.title(target, params) if callable(self.title) else self.title


_reports: dict[str, Report] = {}


class UnknownReport(LookupError):
    """No report of this kind is registered (its app was removed, or the kind is mistyped)."""


def register_report(
    kind: str,
    *,
    title: Title,
    template: str,
    build_context: Callable[[GeneratedDocument], dict[str, Any]],
    can_request: Permission,
    can_view: Permission,
) -> Report:
    """Add a report. `title` is a string or a function of (target, params) giving the document's title."""
    report = Report(kind, title, template, build_context, can_request, can_view)
    _reports[kind] = report
    return report


def unregister_report(kind: str) -> None:
    _reports.pop(kind, None)


def get_report(kind: str) -> Report:
    try:
        return _reports[kind]
    except KeyError:
        raise UnknownReport(f"No report of kind {kind!r} is registered.") from None


def registered_reports() -> list[str]:
    return sorted(_reports)


# The audit trail extract ----------------------------------------------------------------------------

AUDIT_EXTRACT = "audit-trail-extract"
AUDIT_EXTRACT_MAX_EVENTS = 5_000  # about 450 pages; for more, use the admin's list of events


def _officer_only(user: User, target: models.Model | None) -> bool:
    return bool(is_officer(user))


def _audit_title(target: models.Model | None, params: dict[str, Any]) -> str:
    start, end = date.fromisoformat(params["date_from"]), date.fromisoformat(params["date_to"])
    return f"Audit trail extract, {dateformat.format(start, 'j F Y')} to {dateformat.format(end, 'j F Y')}"


def _local_day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _breakable(action: str) -> str:
    """Let long action names such as "evaluation.conflict_declared" wrap at their dots and underscores.

    A zero-width space is what WeasyPrint makes of a <wbr> element (its ::before content), so the PDF is
    the same; as plain text it saves an element and an inline box at each break point, which made a long
    extract about 15% faster to lay out. The template escapes the result as usual."""
    return action.replace(".", ".\u200b").replace("_", "_\u200b")


def audit_extract_context(document: GeneratedDocument) -> dict[str, Any]:
    """Events in the period (whole days, UK time) with who did what to what, and the chain check."""
    start = date.fromisoformat(document.params["date_from"])
    end = date.fromisoformat(document.params["date_to"])
    events = (
        AuditEvent.objects.filter(
            occurred_at__gte=_local_day_start(start),
            occurred_at__lt=_local_day_start(end + timedelta(days=1)),
        )
        .select_related("content_type")
        .order_by("id")
    )
    total = events.count()
    listed = shown_all(events[:AUDIT_EXTRACT_MAX_EVENTS])
    for event in listed:
        event.action_breakable = _breakable(event.action)
        event.shown = shown(event)
    # From the last verified event: the nightly full verification covers the older ones.
    checked, broken = verify_chain(incremental=True)
    return {
        "date_from": start,
        "date_to": end,
        "events": listed,
        "total": total,
        "truncated": total > AUDIT_EXTRACT_MAX_EVENTS,
        "max_events": AUDIT_EXTRACT_MAX_EVENTS,
        "chain_checked": checked,
        "chain_broken": broken,
    }


register_report(
    AUDIT_EXTRACT,
    title=_audit_title,
    template="commissioning/pdf/audit_trail_extract.html",
    build_context=audit_extract_context,
    can_request=_officer_only,
    can_view=_officer_only,
)
