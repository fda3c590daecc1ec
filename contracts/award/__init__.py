"""The award stage of the contracts app: competitions (mini-competitions and expressions of interest),
clarification questions, sealed tenders, the two-officer opening, evaluation, award decisions with
their standstill, and direct awards. Its models share the contracts app's label and tables."""
