"""A notice's readable preview as a PDF: a registered report of the portal's one document path, for the
officers of the buying authority to check or circulate before it goes on Find a Tender."""

from __future__ import annotations

from typing import Any

from commissioning.models import GeneratedDocument, User
from commissioning.reports import register_report

from .models import Notice

NOTICE_PREVIEW = "notice-preview"


def _may(user: User, notice: Notice | None) -> bool:
    from .services import may_publish

    return notice is not None and may_publish(user, notice)


def notice_context(document: GeneratedDocument) -> dict[str, Any]:
    from contracts.opendata.releases import build_release

    from .preview import readable

    notice = Notice.objects.select_related("buying_authority").get(pk=document.target_id)
    release = notice.content if notice.is_published else build_release(notice)
    return {"notice": notice, "sections": readable(release)}


def register() -> None:
    register_report(
        NOTICE_PREVIEW,
        title=lambda notice, params: f"{notice.get_notice_type_display()}: {notice.title}"[:300],
        template="contracts/notices/pdf/notice.html",
        build_context=notice_context,
        can_request=_may,
        can_view=_may,
    )
