"""What selection tells other apps (see `commissioning.events`): ids and plain values only."""

from commissioning.events import define

# A provider submitted an application (`services.submit_application`).
APPLICATION_SUBMITTED = define("frameworks.application_submitted", "application_id", "supplier_id", "by_id")
# Every lot of an application is decided (`services.decide_lot`): the lots it was appointed to, the others.
APPLICATION_DECIDED = define(
    "frameworks.application_decided",
    "application_id",
    "supplier_id",
    "by_id",
    "appointed_lot_ids",
    "unsuccessful_lot_ids",
)
# A supplier was appointed to a lot, or its appointment's status changed (suspended, reinstated,
# removed) or was imported; `previous_status` is None for a new appointment.
APPOINTMENT_CHANGED = define(
    "frameworks.appointment_changed", "appointment_id", "supplier_id", "lot_id", "status", "previous_status", "by_id"
)
# A framework was awarded, or an open framework re-awarded (`open_frameworks.award_framework`); a re-award
# ends the award before it (`ended_award_id`, None for the first award).
FRAMEWORK_AWARDED = define("frameworks.framework_awarded", "framework_id", "award_id", "ended_award_id", "by_id")
