"""Public open data endpoints: a release package per procedure, a package of every release since a date
(keyset pagination on the publication time and id, so a page costs the same however deep), and a
compiled record per procedure."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Q
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from commissioning.access import public
from commissioning.dates import LONDON

from . import packages


def _json(data, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(message: str) -> JsonResponse:
    return _json({"error": message}, status=400)


def _published_notices_or_404(ocid: str) -> list:
    """The published notices of one procedure; a procedure with none is not found."""
    notices = list(packages.published().filter(ocid=ocid))
    if not notices:
        raise Http404("No published notice has this open contracting ID")
    return notices


@public
@require_safe
def procedure_releases(request: HttpRequest, ocid: str) -> JsonResponse:
    notices = _published_notices_or_404(ocid)
    return _json(packages.release_package(notices, uri=request.build_absolute_uri()))


@public
@require_safe
def procedure_record(request: HttpRequest, ocid: str) -> JsonResponse:
    notices = _published_notices_or_404(ocid)
    return _json(packages.record_package(ocid, notices, uri=request.build_absolute_uri()))


@public
@require_safe
def releases_since(request: HttpRequest) -> JsonResponse:
    """Every published release since `since` (a date, YYYY-MM-DD; all when absent), oldest first, a page
    at a time: `links.next` carries the cursor of the next page."""
    notices = packages.published()
    since_text = request.GET.get("since", "").strip()
    if since_text:
        try:
            since = date.fromisoformat(since_text)
        except ValueError:
            return _error("since must be a date written YYYY-MM-DD, for example 2026-01-01")
        if not 1900 <= since.year <= 2200:
            return _error("since must be between 1900 and 2200")
        notices = notices.filter(published_at__gte=datetime.combine(since, time.min, tzinfo=LONDON))
    cursor_text = request.GET.get("cursor", "").strip()
    if cursor_text:
        cursor = packages.decode_cursor(cursor_text)
        if cursor is None:
            return _error("cursor is not one this endpoint gave")
        moment, pk = cursor
        notices = notices.filter(Q(published_at__gt=moment) | Q(published_at=moment, pk__gt=pk))
    size = packages.page_size()
    page = list(notices[: size + 1])
    links = {}
    if len(page) > size:
        page = page[:size]
        query = request.GET.copy()
        query["cursor"] = packages.encode_cursor(page[-1])
        links["next"] = request.build_absolute_uri(f"{reverse('opendata:releases')}?{query.urlencode()}")
    return _json(packages.release_package(page, uri=request.build_absolute_uri(), links=links or None))
