"""`make bench-growth`: the key pages at BENCH_SCALE=1 and 10, each in a process of its own (one data set
after the other, in the same database), then each page's growth from ×1 to ×10.

A page is flat when its ×10 median is at most 1.3 times its ×1 median with the same number of queries.
BENCH_GROWTH_REUSE=1 compares the figures already written by two runs (bench/pages-x1-*.json and
bench/pages-x10-*.json) without measuring again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCALES = (1, 10)
FLAT_MEDIAN, MAX_RATIO = 1.3, 40


def vendor() -> str:
    return "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"


def run(scale: int) -> None:
    environment = {**os.environ, "BENCH_SCALE": str(scale), "BENCH_ONLY": "pages"}
    environment.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.settings.bench")
    subprocess.run([sys.executable, "-u", "-m", "bench.run"], env=environment, check=True, cwd=HERE.parent)  # noqa: S603


def growth(small: dict, large: dict) -> list[dict]:
    before = {row["page"]: row for row in small["pages"] if row.get("median_ms") is not None}
    rows = []
    for row in large["pages"]:
        first = before.get(row["page"])
        if first is None or row.get("median_ms") is None:
            continue
        median_growth = row["median_ms"] / first["median_ms"]
        rows.append(
            {
                "page": row["page"],
                "median ×1": first["median_ms"],
                "median ×10": row["median_ms"],
                "growth": round(median_growth, 2),
                "db ms ×1→×10": f"{first['database_ms']} → {row['database_ms']}",
                "queries ×1→×10": f"{first['queries']} → {row['queries']}",
                "× trivial ×1→×10": f"{first['ratio_to_trivial']} → {row['ratio_to_trivial']}",
                "flat": "yes"
                if median_growth <= FLAT_MEDIAN
                and first["queries"] == row["queries"]
                and row["ratio_to_trivial"] <= MAX_RATIO
                else "no",
            }
        )
    return rows


def main() -> int:
    database = vendor()
    if os.environ.get("BENCH_GROWTH_REUSE") != "1":
        for scale in SCALES:
            run(scale)
    small, large = (json.loads((HERE / f"pages-x{s}-{database}.json").read_text()) for s in SCALES)
    rows = growth(small, large)
    columns = list(rows[0]) if rows else []
    print(
        f"\nGrowth of each key page from ×1 to ×10 ({database}; flat: ≤{FLAT_MEDIAN}× median, same queries, "
        f"≤{MAX_RATIO}× trivial)"
    )
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(str(row[c]).ljust(widths[c]) for c in columns))
    return 0


if __name__ == "__main__":
    sys.exit(main())
