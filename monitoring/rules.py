"""Who may do what in performance monitoring.

Provider users fill in and submit their own supplier's returns: every object is scoped to their supplier
by the selectors (another supplier's return is a 404, for reading and for writing). Officers review
returns, set targets, see the dashboard and aggregates and request the reports; they also manage KPI
templates, periods and returns in the admin, where lifecycle fields are read-only. Each officer reads
the returns of the contracts their authority reads and decides on those it buys (`commissioning.rules`).
Evaluators and partner commissioners have no access to returns.
"""

import rules

from commissioning.rules import is_officer, is_provider, officers_manage

# The provider portal's return pages; objects scoped to the provider's supplier.
rules.add_perm("monitoring.submit_returns", is_provider)
# The officers' pages: dashboard, review, targets, aggregates and reports.
# (Platform administrators read returns across authorities in the admin, which decides nothing.)
rules.add_perm("monitoring.review_returns", is_officer)

officers_manage("monitoring", "kpitemplate", "indicator", actions=("view", "add", "change", "delete"))
officers_manage("monitoring", "returnperiod", actions=("view", "add", "change"))
officers_manage("monitoring", "contractindicator", actions=("view", "change"))
officers_manage("monitoring", "quarterlyreturn", actions=("view", "change"))
officers_manage("monitoring", "returnvalue", "returnreview", actions=("view",))
