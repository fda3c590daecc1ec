"""What performance monitoring does when the contract register tells it something (see
`commissioning.events`); registered in `MonitoringConfig.ready()`.

A contract's indicator set is made when it goes live, and completed when its social value
commitments change while it is live, so that no page has to make it when a return is first opened
(a GET writes nothing). Both handlers are idempotent: `services.set_up_indicators` adds only what is
missing, and `manage.py set_up_indicators` repeats the same work for contracts whose handler failed or
that went live before the handlers existed.
"""

from __future__ import annotations

from commissioning import events
from commissioning.models import User
from contracts.events import CONTRACT_WENT_LIVE, SOCIAL_VALUE_CHANGED
from contracts.models import Contract

from . import services


def set_up_indicators_of(*, contract_id: int, by_id: int | None) -> None:
    """A live contract gets its indicator set (a draft gets it when it goes live)."""
    contract = Contract.objects.filter(pk=contract_id, activated_at__isnull=False).first()
    if contract is None:
        return
    by = User.objects.filter(pk=by_id).first() if by_id else None
    services.set_up_indicators(contract=contract, by=by)


def register() -> None:
    events.listen(CONTRACT_WENT_LIVE, set_up_indicators_of)
    events.listen(SOCIAL_VALUE_CHANGED, set_up_indicators_of)
