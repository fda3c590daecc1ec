"""Funding in the portal: an authority's funding streams and their allocations per financial year, and
co-commissioning (contributions of partner authorities to a contract or grant another authority leads)."""
