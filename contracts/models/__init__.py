"""The contracts register: contracts and grant agreements, their terms, extension options and
exercised extensions, variations, annual values, funding, social value, meetings and the
recommissioning milestones that follow them.

Models hold fields, constraints and cheap derived values. Every write and state change is in
`services.py`; the award stage (competitions, tenders, direct awards) will create contracts through
`services.create_contract(..., origin=..., source=award)` and is not modelled here.

Laid out as `terms` (term arithmetic and money settings), `contract` (the contract, its extension options,
extensions and variations), `values` (year values and funding) and `management` (social value, meetings,
milestones); the award stage, co-commissioning, grants and notices follow with the same app label.
"""

from commissioning.dates import long_date  # services import it from here, as they did before the split

from .contract import Contract, ContractQuerySet, Extension, ExtensionOption, Variation
from .coverage import ContractTermTally, LiveContractTally
from .management import ContractMeeting, MeetingAction, Milestone, SocialValueCommitment, SocialValueProposal
from .terms import (
    FINAL_PERIOD_MONTHS,
    MONEY,
    ZERO,
    add_months,
    extended_end,
    final_period_horizon,
    months_before,
    term_end,
)
from .values import ContractFunding, ContractYearValue

# isort: split
# The other packages' models import the register's names above, so they come after them.
from ..award.models import *  # noqa: E402,F401,F403
from ..funding.models import *  # noqa: E402,F401,F403
from ..funding.models import Contribution  # noqa: E402
from ..grants.models import *  # noqa: E402,F401,F403
from ..notices.models import *  # noqa: E402,F401,F403

__all__ = [
    "FINAL_PERIOD_MONTHS",
    "MONEY",
    "ZERO",
    "add_months",
    "extended_end",
    "final_period_horizon",
    "months_before",
    "term_end",
    "Contract",
    "ContractQuerySet",
    "ContractTermTally",
    "LiveContractTally",
    "ExtensionOption",
    "Extension",
    "Variation",
    "ContractYearValue",
    "ContractFunding",
    "SocialValueProposal",
    "SocialValueCommitment",
    "ContractMeeting",
    "MeetingAction",
    "Milestone",
    "Contribution",
    "long_date",
]
