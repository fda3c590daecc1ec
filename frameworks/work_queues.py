"""The frameworks' part of each home page (see `commissioning.work_queues`): for the public, the open
application windows and each framework's published suppliers; for providers, open windows and their
applications; for evaluators, their tasks, not started first; for partners, suppliers added or changed
since their last visit. Each builder reads with a fixed number of queries."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse

from commissioning import work_queues as wq

from . import partner_selectors


def open_windows(user, now: datetime) -> wq.Queue:
    windows = partner_selectors.open_opportunities(now).select_related(None).select_related("framework")
    items = [
        wq.QueueItem(
            title=window.framework.title,
            url=reverse("public:opportunities") + "#frameworks-open",
            detail=f"{window.framework.reference}, {window.title}",
            when=window.closes_at,
            when_label="Closes at",
        )
        for window in windows.prefetch_related(None)[: wq.SHOWN]
    ]
    return wq.Queue(
        key="open-windows",
        heading="Frameworks open for applications",
        count=windows.count(),
        items=items,
        urgency=wq.ACTION,
        see_all_url=reverse("public:opportunities"),
        see_all_label="See the open opportunities",
        empty="No frameworks are open for applications at the moment. Frameworks reopen at least once a year.",
    )


def published_lists(user, now: datetime) -> wq.Queue:
    frameworks = partner_selectors.public_frameworks()
    items = [
        wq.QueueItem(
            title=f"Approved suppliers on {framework.title}",
            url=reverse("public:framework_suppliers", args=[framework.reference]),
            detail=f"{framework.reference}, led by {framework.lead_authority.name}",
        )
        for framework in frameworks[: wq.SHOWN]
    ]
    return wq.Queue(
        key="published-lists",
        heading="Approved supplier lists",
        count=frameworks.count(),
        items=items,
        urgency=wq.INFORMATION,
        see_all_url=reverse("public:opportunities") + "#framework-lists",
        see_all_label="See every framework",
        empty="No frameworks have been published yet.",
    )


def register() -> None:
    wq.register("public", "open-windows", open_windows)
    wq.register("public", "published-lists", published_lists)
