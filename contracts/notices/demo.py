"""Demo notices: every record's notices are worked out, and those a careful authority would have published
by now are recorded as published on Find a Tender (the framework's awards, the expression of interest's
tender notice), so the open data endpoints have releases to serve. The rest stay due, or overdue, as work
for the officer. The notice numbers are made up in Find a Tender's shape (NNNNNN-YYYY)."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from commissioning.clock import happened_at, happened_on
from commissioning.models import User
from frameworks.models import FrameworkAward

from .models import Notice, NoticeType
from .services import publish_notice, sync_all_notices


def demo_number(notice: Notice, day: date) -> str:
    return f"{900000 + notice.pk:06d}-{day.year}"


def publish_on(notice: Notice, day: date, by: User) -> None:
    if notice.is_published or day > timezone.localdate():
        return
    with happened_at(happened_on(day)):  # recorded on the day it went on Find a Tender
        publish_notice(notice=notice, fts_number=demo_number(notice, day), published_on=day, by=by)


def _framework_awards(officer: User) -> None:
    for award in FrameworkAward.objects.select_related("window").order_by("framework", "sequence"):
        for notice in Notice.objects.filter(target_id=award.pk, key__startswith="frameworkaward:").order_by("pk"):
            day = {
                NoticeType.UK4: timezone.localdate(award.window.opens_at) if award.window_id else award.starts_on,
                NoticeType.UK6: timezone.localdate(award.awarded_at) - timedelta(days=10),
                NoticeType.UK7: award.starts_on + timedelta(days=14),
            }.get(notice.notice_type)
            if day:
                publish_on(notice, day, officer)


def _tender_notices(officer: User) -> None:
    for notice in Notice.objects.filter(notice_type=NoticeType.UK4, key__startswith="competition:"):
        competition = notice.target
        if competition.published_at:
            publish_on(notice, timezone.localdate(competition.published_at), officer)


def load(ctx: dict) -> None:
    officer = (ctx.get("users") or {}).get("officer@demo.test")
    if officer is None:
        return
    sync_all_notices()
    _framework_awards(officer)
    _tender_notices(officer)
