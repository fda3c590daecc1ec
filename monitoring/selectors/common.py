"""What the monitoring reads share: statuses and their tags, quarters as keys."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from commissioning.dates import Quarter

from ..models import (
    NOT_STARTED,
    NOT_STARTED_LABEL,
    QuarterlyReturn,
    Question,
    Timeliness,
)

Status = QuarterlyReturn.Status


# Figures that count as reported: everything a provider has sent, whether or not accepted yet.
REPORTED = [Status.SUBMITTED, Status.RESUBMITTED, Status.ACCEPTED, Status.RETURNED]


STATUS_TAGS = {
    NOT_STARTED: "govuk-tag--grey",
    Status.DRAFT: "govuk-tag--light-blue",
    Status.SUBMITTED: "govuk-tag--blue",
    Status.RESUBMITTED: "govuk-tag--blue",
    Status.RETURNED: "govuk-tag--orange",
    Status.ACCEPTED: "govuk-tag--green",
}


TIMELINESS_TAGS = {
    Timeliness.NOT_DUE: "govuk-tag--grey",
    Timeliness.ON_TIME: "govuk-tag--green",
    Timeliness.LATE: "govuk-tag--yellow",
    Timeliness.OVERDUE: "govuk-tag--red",
}


def status_label(status: str) -> str:
    return NOT_STARTED_LABEL if status == NOT_STARTED else Status(status).label


def group_by_question(items: Iterable, question=lambda item: item.question) -> list[tuple[str, list]]:
    """[(RBA question label, items)] in the order how much, how well, better off, social value."""
    groups: dict[str, list] = defaultdict(list)
    for item in items:
        groups[question(item)].append(item)
    return [(q.label, groups[q.value]) for q in Question if groups.get(q.value)]


def quarter_key(quarter: Quarter) -> str:
    return f"{quarter.financial_year}-q{quarter.number}"


def parse_quarter(value: str) -> Quarter | None:
    try:
        year, number = value.split("-q")
        quarter = Quarter(int(year), int(number))
    except (ValueError, AttributeError):
        return None
    return quarter if 1 <= quarter.number <= 4 and 2000 <= quarter.financial_year <= 2100 else None


def default_quarter(today: date) -> Quarter:
    """The quarter whose returns are being collected: the last one that has ended."""
    return Quarter.containing(today).previous()
