"""What the contract register tells other apps (see `commissioning.events`). Every payload names the
contract by id and the acting user by id (None for the portal itself)."""

from commissioning.events import define

# A draft contract went live (`services.activate_contract`).
CONTRACT_WENT_LIVE = define("contracts.contract_went_live", "contract_id", "by_id")
# A live contract reached the end of its term (`services.record_contract_ends`, run daily).
CONTRACT_ENDED = define("contracts.contract_ended", "contract_id", "ended_on")
# A live contract was ended early (`services.terminate_contract`); `terminated_on` is its last day.
CONTRACT_TERMINATED = define("contracts.contract_terminated", "contract_id", "by_id", "terminated_on")
# An extension option was exercised: the end date moved from `end_before` to `end_after`.
EXTENSION_EXERCISED = define(
    "contracts.extension_exercised", "contract_id", "by_id", "option", "end_before", "end_after"
)
# A variation changed a year's value, the end date or the scope (`kind`, a `Variation.Kind`).
VARIATION_RECORDED = define("contracts.variation_recorded", "contract_id", "by_id", "variation_id", "kind")
# The contract's social value commitments changed (a proposal recorded or accepted, a commitment edited).
SOCIAL_VALUE_CHANGED = define("contracts.social_value_changed", "contract_id", "by_id")
# A provider applied online for a grant, or withdrew an application (`grants.services`).
GRANT_APPLICATION_SUBMITTED = define("contracts.grant_application_submitted", "application_id", "round_id", "by_id")
GRANT_APPLICATION_WITHDRAWN = define("contracts.grant_application_withdrawn", "application_id", "round_id", "by_id")
# An officer recorded that a scheduled grant payment was paid.
GRANT_PAYMENT_MADE = define("contracts.grant_payment_made", "contract_id", "payment_id", "by_id")
