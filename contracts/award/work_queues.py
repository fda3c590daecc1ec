"""The award stage's part of each home page (see `commissioning.work_queues`): for the public, the
expressions of interest open to any supplier. Each builder reads with a fixed number of queries."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse

from commissioning import work_queues as wq

from . import selectors


def open_competitions(user, now: datetime) -> wq.Queue:
    competitions = selectors.open_expressions_of_interest(now).prefetch_related(None)
    items = [
        wq.QueueItem(
            title=competition.title,
            url=reverse("public:opportunities") + "#competitions-open",
            detail=f"{competition.reference}, {competition.buying_authority.name}",
            when=competition.closes_at,
            when_label="Closes at",
        )
        for competition in competitions[: wq.SHOWN]
    ]
    return wq.Queue(
        key="open-competitions",
        heading="Competitions open to any supplier",
        count=competitions.count(),
        items=items,
        urgency=wq.ACTION,
        see_all_url=reverse("public:opportunities") + "#competitions-open",
        see_all_label="See the open competitions",
        empty="There are no competitions open to any supplier at the moment.",
    )


def register() -> None:
    wq.register("public", "open-competitions", open_competitions)
