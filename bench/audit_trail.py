"""The audit trail's own figures on the benchmark's data set (after `make bench`, same DATABASE_URL and
BENCH_SCALE): `verify_audit` in full and from the last verified event, and building the one-week extract
(its events and the chain check), the median of five. Run: python -m bench.audit_trail"""

from __future__ import annotations

import os
import statistics
import time
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.settings.bench")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from commissioning.audit import verify_chain  # noqa: E402
from commissioning.models import AuditEvent, GeneratedDocument  # noqa: E402
from commissioning.reports import audit_extract_context  # noqa: E402


def main() -> None:
    events = AuditEvent.objects.count()
    start = time.perf_counter()
    checked, broken = verify_chain()
    full = time.perf_counter() - start
    start = time.perf_counter()
    since, _ = verify_chain(incremental=True)
    incremental = time.perf_counter() - start
    today = timezone.localdate()
    week = GeneratedDocument(
        params={"date_from": (today - timedelta(days=7)).isoformat(), "date_to": today.isoformat()}
    )
    times = []
    for _ in range(5):
        start = time.perf_counter()
        context = audit_extract_context(week)
        times.append(time.perf_counter() - start)
    print(
        f"{events} events. verify_audit in full: {full:.1f} s ({checked} intact: {broken is None}); "
        f"from the last verified event: {incremental * 1000:.0f} ms; one-week extract ({context['total']} events): "
        f"median {statistics.median(times) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
