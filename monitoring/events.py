"""What performance monitoring tells other apps (see `commissioning.events`): ids and plain values only."""

from commissioning.events import define

# A provider submitted (or, after amendment, resubmitted) a quarterly return.
RETURN_SUBMITTED = define("monitoring.return_submitted", "return_id", "contract_id", "resubmitted", "by_id")
# An officer accepted a return.
RETURN_ACCEPTED = define("monitoring.return_accepted", "return_id", "contract_id", "by_id")
# An officer returned a return to the provider for amendment.
RETURN_RETURNED = define("monitoring.return_returned", "return_id", "contract_id", "by_id")
