"""The report to the Police and Crime Panel, in the shape of the West Yorkshire Commissioning and
Granting Report (seed 004): commissioned services, granted services, their values, terms,
extensions and variations, what changed in the last year, and future intentions from the pipeline.

`panel_report_context` builds the data for both the web page and the PDF. The PDF is a registered
report of the shared document mechanism (`commissioning.reports` / `commissioning.documents`),
produced in the background; this module registers the "panel_report" kind when it is imported
(from `ContractsConfig.ready`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Prefetch
from django.urls import reverse

from commissioning.dates import financial_year_label, financial_year_of, long_date
from commissioning.documents import request_document
from commissioning.models import Authority, User
from commissioning.reports import register_report
from commissioning.rules import is_officer, reads_everything

from . import selectors
from .models import Contract, Contribution, Extension, ExtensionOption, Variation, months_before

PANEL_REPORT = "panel_report"


def panel_report_context(*, authority: Authority | None, as_of: date) -> dict[str, Any]:
    """Everything the report shows, as on `as_of` (a fixed number of queries)."""
    year = financial_year_of(as_of)
    year_ago = months_before(as_of, 12)
    options = Prefetch("extension_options", queryset=ExtensionOption.objects.select_related("exercised"))
    contributions = Prefetch(
        "contributions",
        queryset=Contribution.objects.filter(financial_year=year).select_related("authority"),
        to_attr="year_contributions",
    )
    in_force = (
        Contract.objects.in_force_on(as_of)
        .select_related("supplier", "buying_authority")
        .with_values(year)
        .prefetch_related(options, "variations", "consortium_members", contributions)
        .order_by("title")
    )
    ended = (
        Contract.objects.with_effective_end()
        .filter(activated_at__isnull=False, effective_end__gte=year_ago, effective_end__lt=as_of)
        .select_related("supplier")
        .prefetch_related(options, "variations")
        .order_by("effective_end")
    )
    extensions = (
        Extension.objects.filter(decided_on__gt=year_ago, decided_on__lte=as_of)
        .select_related("contract__supplier", "option")
        .order_by("decided_on")
    )
    variations = (
        Variation.objects.filter(approved_on__gt=year_ago, approved_on__lte=as_of)
        .select_related("contract__supplier")
        .order_by("approved_on")
    )
    if authority is not None:  # what the authority leads or co-commissions
        in_force = in_force.filter(pk__in=Contract.objects.involving_authority(authority).values("pk"))
        ended = ended.filter(buying_authority=authority)
        extensions = extensions.filter(contract__buying_authority=authority)
        variations = variations.filter(contract__buying_authority=authority)
    contracts = list(in_force)
    commissioned = [c for c in contracts if c.kind == Contract.Kind.CONTRACT]
    granted = [c for c in contracts if c.kind == Contract.Kind.GRANT]
    return {
        "authority": authority,
        "as_of": as_of,
        "year_label": financial_year_label(year),
        "title": report_title(authority, as_of),
        "commissioned": commissioned,
        "granted": granted,
        "commissioned_total": sum((c.year_value or 0 for c in commissioned), 0),
        "granted_total": sum((c.year_value or 0 for c in granted), 0),
        "commenced": [c for c in contracts if year_ago < c.start_on <= as_of],
        "extensions": list(extensions),
        "variations": list(variations),
        "ended": list(ended),
        "pipeline": selectors.pipeline(today=as_of, authority=authority),
    }


def report_title(authority: Authority | None, as_of: date) -> str:
    who = f"{authority.name}: " if authority is not None else ""
    return f"{who}Commissioning and granting report to the Police and Crime Panel, {long_date(as_of)}"


# The PDF, through the shared document mechanism ------------------------------------------------------


def _params(authority: Authority | None, as_of: date) -> dict[str, Any]:
    return {"authority": authority.pk if authority is not None else None, "as_of": as_of.isoformat()}


def build_context(document) -> dict[str, Any]:
    authority_id = document.params.get("authority")
    authority = Authority.objects.get(pk=authority_id) if authority_id else None
    return panel_report_context(authority=authority, as_of=date.fromisoformat(document.params["as_of"]))


def _title(target, params: dict[str, Any]) -> str:
    authority = Authority.objects.filter(pk=params.get("authority") or 0).first()
    return report_title(authority, date.fromisoformat(params["as_of"]))


def _officers(user: User, target) -> bool:
    return bool(is_officer(user))


def _administrators(user: User, target) -> bool:
    """Besides the officer who asked for it (for their own authority, see the view), only platform
    administrators read a Panel report: it names one authority's contracts."""
    return bool(reads_everything(user))


def request_panel_report(*, by: User, authority: Authority | None, as_of: date):
    """Queue the PDF; it is produced by the `generate_document` task and downloaded when ready."""
    return request_document(kind=PANEL_REPORT, params=_params(authority, as_of), by=by)


def document_url(document) -> str:
    return reverse("document_detail", args=[document.pk])


def register() -> None:
    register_report(
        PANEL_REPORT,
        title=_title,
        template="contracts/pdf/panel_report.html",
        build_context=build_context,
        can_request=_officers,
        can_view=_administrators,
    )
