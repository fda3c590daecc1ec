"""The grant application's lifecycle: submitted -> awarded or declined (with reasons), or withdrawn."""

from commissioning.lifecycle import Lifecycle

from .models import GrantApplication

S = GrantApplication.Status

GRANT_APPLICATION = Lifecycle(
    thing="A grant application",
    statuses=S,
    transitions={
        "award": {S.SUBMITTED: S.AWARDED},
        "decline": {S.SUBMITTED: S.DECLINED},
        "withdraw": {S.SUBMITTED: S.WITHDRAWN},
        "make_agreement": {S.AWARDED: None},
    },
    refusals={
        "award": "be awarded",
        "decline": "be declined",
        "withdraw": "be withdrawn",
        "make_agreement": "have a grant agreement",
    },
)
