"""What the notices do when selection tells them something (see `commissioning.events`); registered in
`ContractsConfig.ready()`. A framework award (and an open framework's re-award, which ends the award before
it) is made in the frameworks app, which cannot call into contracts: the notices each award needs follow
it here, after the award has committed."""

from __future__ import annotations

from commissioning import events
from commissioning.models import User
from frameworks.events import FRAMEWORK_AWARDED
from frameworks.models import FrameworkAward

from .services import sync_notices


def sync_framework_award_notices(
    *, framework_id: int, award_id: int, ended_award_id: int | None, by_id: int | None
) -> None:
    """The new award's notices, and the ended one's (its term changed)."""
    by = User.objects.filter(pk=by_id).first() if by_id else None
    for award in FrameworkAward.objects.filter(pk__in=[award_id, ended_award_id]).order_by("sequence"):
        sync_notices(award, by=by)


def register() -> None:
    events.listen(FRAMEWORK_AWARDED, sync_framework_award_notices)
