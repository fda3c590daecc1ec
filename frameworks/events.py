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
