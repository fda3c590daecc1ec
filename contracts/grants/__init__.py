"""Grants as a route of their own: grant rounds (some awarded quarterly), applications, decisions with
reasons, grant agreements with conditions and payment schedules. A grant agreement is a contract of kind
"grant" on the register, so it is monitored through the same quarterly returns; the social value rule does
not apply to it."""
