"""What the award stage tells other apps (see `commissioning.events`): ids and plain values only."""

from commissioning.events import define

# A lot of a competition was decided: awarded to `supplier_id` (`award_id`), or not awarded (both None).
AWARD_DECIDED = define(
    "contracts.award_decided", "competition_id", "lot_id", "award_id", "supplier_id", "awarded", "by_id"
)
# A second officer approved a direct award; its draft contract was created (`contract_id`).
DIRECT_AWARD_APPROVED = define(
    "contracts.direct_award_approved", "direct_award_id", "supplier_id", "contract_id", "by_id"
)
