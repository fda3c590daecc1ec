"""Release packages and record packages as Find a Tender serves them: the releases are the published
notices' stored content (what was validated and recorded at publication), never rebuilt, so nothing
appears in open data before it was public. Records are compiled with ocdsmerge against the vendored
schema, offline."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

import ocdsmerge
from django.conf import settings
from django.utils import timezone

from contracts.notices.models import Notice

from .validation import EXTENSION_URLS, OCDS_VERSION, release_schema

LICENCE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


def published() -> Any:
    return Notice.objects.filter(status=Notice.Status.PUBLISHED).order_by("published_at", "pk")


def _published_date(notices: list[Notice]) -> str:
    latest = max((n.published_at for n in notices), default=None) or timezone.now()
    return timezone.localtime(latest).isoformat(timespec="seconds")


def release_package(notices: list[Notice], *, uri: str, links: dict[str, str] | None = None) -> dict[str, Any]:
    package: dict[str, Any] = {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": EXTENSION_URLS,
        "publisher": {"name": settings.OCDS_PUBLISHER_NAME, "uri": settings.PORTAL_BASE_URL},
        "license": LICENCE,
        "publicationPolicy": f"{settings.PORTAL_BASE_URL}/accessibility/",
        "publishedDate": _published_date(notices),
        "releases": [n.content for n in notices],
    }
    if links:
        package["links"] = links
    return package


@lru_cache(maxsize=1)
def merger() -> ocdsmerge.Merger:
    return ocdsmerge.Merger(schema=release_schema())


def record_package(ocid: str, notices: list[Notice], *, uri: str) -> dict[str, Any]:
    releases = [n.content for n in notices]
    compiled = merger().create_compiled_release(releases) if releases else {}
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": EXTENSION_URLS,
        "publisher": {"name": settings.OCDS_PUBLISHER_NAME, "uri": settings.PORTAL_BASE_URL},
        "license": LICENCE,
        "publishedDate": _published_date(notices),
        "records": [
            {
                "ocid": ocid,
                "releases": [
                    {"url": f"{uri.rsplit('/record/', 1)[0]}/releases/#{r['id']}", "date": r["date"], "tag": r["tag"]}
                    for r in releases
                ],
                "compiledRelease": compiled,
            }
        ]
        if releases
        else [],
    }


def page_size() -> int:
    return max(1, min(settings.OCDS_PAGE_SIZE, 1000))


def encode_cursor(notice: Notice) -> str:
    return f"{notice.published_at.isoformat()}~{notice.pk}"


def decode_cursor(text: str) -> tuple[datetime, int] | None:
    """The position after which the next page starts; None when the cursor cannot be read."""
    moment, _, pk = text.partition("~")
    try:
        when = datetime.fromisoformat(moment)
        number = int(pk)
    except ValueError:
        return None
    if timezone.is_naive(when) or number < 0:
        return None
    return when, number
