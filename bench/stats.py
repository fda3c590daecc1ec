"""Figures shared by the bench and the load test's report (no Django: importing it sets nothing up)."""

from __future__ import annotations


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` fall (the nearest rank; 0.5 is the median)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))
    return ordered[index]
