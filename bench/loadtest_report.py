"""After the rush: what the database holds, against what the load test sent."""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.settings.loadtest")

import django  # noqa: E402

django.setup()

from django.db.models import Count  # noqa: E402

from bench.stats import percentile  # noqa: E402
from commissioning.models import AuditEvent, Notification  # noqa: E402
from monitoring.models import QuarterlyReturn  # noqa: E402

HERE = Path(__file__).resolve().parent
# How long the worker may take, after the rush, to send the e-mails it queued.
EMAIL_DRAIN_SECONDS = 120


def emails_of_the_rush() -> dict[str, int]:
    """The e-mails the rush queued, by status, once the worker has sent them (or the wait is over)."""
    deadline = time.monotonic() + EMAIL_DRAIN_SECONDS
    pending = [Notification.Status.QUEUED, Notification.Status.CLAIMED]
    while Notification.objects.filter(status__in=pending).exists() and time.monotonic() < deadline:
        time.sleep(1)
    return dict(Notification.objects.values_list("status").annotate(n=Count("pk")).order_by())


def server_times(seconds_of_load: float | None) -> dict:
    """What gunicorn's access log says each kind of request took inside the server (gunicorn and Django),
    p50 and p95 in ms, and how many requests were inside it on average: beside locust's figures, what is
    left is the wait for a worker thread and a CPU. Kinds by method, status and where a POST redirected:
    a saved draft back to its form, a submission (and a repeated one) to the return's page."""
    log = HERE / "loadtest-access.log"
    if not log.exists():
        return {}
    kinds: dict[str, list[float]] = {}
    for line in log.read_text().splitlines():
        method, path, status, micros, *location = line.split() + [""]
        if path == "/healthz/" or not micros.isdigit():
            continue
        if method == "POST":
            submitted = location[0].endswith("/view/")
            kind = "POST submit, to the return page" if submitted else "POST save draft, to the form"
        else:
            kind = "GET return page" if path.endswith("/view/") else "GET return form"
        kinds.setdefault(f"{kind} ({status})", []).append(int(micros) / 1000)
    report = {}
    for kind, times in sorted(kinds.items()):
        report[kind] = {
            "n": len(times),
            "p50_ms": round(percentile(times, 0.5)),
            "p95_ms": round(percentile(times, 0.95)),
        }
    busy = sum(sum(times) for times in kinds.values()) / 1000
    if seconds_of_load:
        report["mean_requests_in_server"] = round(busy / seconds_of_load, 1)
    return report


def cpu_used() -> dict:
    """bench.cpu_share's reading of the run, if it took one (Linux)."""
    reading = HERE / "loadtest-cpu.json"
    return json.loads(reading.read_text()) if reading.exists() else {}


def main() -> int:
    data = json.loads((HERE / "loadtest-users.json").read_text())
    contracts = [u["contract"] for u in data["users"]]
    returns = QuarterlyReturn.objects.filter(contract_id__in=contracts)
    per_contract = returns.values("contract_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    submitted = returns.filter(status=QuarterlyReturn.Status.SUBMITTED).count()
    submissions = AuditEvent.objects.filter(action="monitoring.return_submitted").values("object_id")
    duplicate_submissions = submissions.annotate(n=Count("pk")).filter(n__gt=1).count()
    with open(HERE / "loadtest_stats.csv") as handle:
        stats = {row["Name"]: row for row in csv.DictReader(handle)}
    with open(HERE / "loadtest_failures.csv") as handle:
        failures = list(csv.DictReader(handle))
    server_errors = sum(int(f["Occurrences"]) for f in failures if "50" in f["Error"][:40])
    total = stats["Aggregated"]
    submit = stats.get("submit", {})
    requests, per_second = int(total["Request Count"]), float(total["Requests/s"])
    answered_file = HERE / "loadtest-answered.json"
    answered = set(json.loads(answered_file.read_text())) if answered_file.exists() else set()
    submitted_ids = set(returns.filter(status=QuarterlyReturn.Status.SUBMITTED).values_list("contract_id", flat=True))
    seconds = round(requests / per_second, 1) if per_second else None
    server = server_times(seconds)
    served = sum(kind["n"] for kind in server.values() if isinstance(kind, dict))
    report = {
        "think_seconds": os.environ.get("LOADTEST_THINK", "2-4"),
        "providers": len(contracts),
        "seconds_of_load": round(requests / per_second, 1) if per_second else None,
        "requests": requests,
        "failures": int(total["Failure Count"]),
        "server_errors_5xx": server_errors,
        "returns_stored": returns.count(),
        "returns_submitted": submitted,
        # A submission answered (the provider saw the return's page) whose return is not submitted: lost.
        "submissions_answered": len(answered),
        "answered_but_not_submitted": len(answered - submitted_ids),
        # Providers whose submission had no answer when the run ended: the server was too slow for the rush.
        "providers_unfinished": len(contracts) - len(answered),
        "contracts_with_more_than_one_return": per_contract,
        "returns_submitted_more_than_once": duplicate_submissions,
        "submit_p50_ms": submit.get("50%"),
        "submit_p95_ms": submit.get("95%"),
        "submit_p99_ms": submit.get("99%"),
        "emails_by_status": emails_of_the_rush(),
        "server_side": server,
        # Requests the server answered a second (each redirect followed is one more): with LOADTEST_THINK=0,
        # what this machine can serve; paced, what the rush asks of it.
        "server_requests_per_second": round(served / seconds, 1) if seconds else None,
        "failure_kinds": [{"name": f["Name"], "error": f["Error"][:200], "n": f["Occurrences"]} for f in failures],
        # Who used the machine's CPUs while locust ran (bench.cpu_share): on one machine, the server's
        # latency includes waiting for a CPU that the database, the worker or the load generator holds.
        "cpu": cpu_used(),
    }
    print(json.dumps(report, indent=2))
    (HERE / "loadtest-results.json").write_text(json.dumps(report, indent=2))
    lost = report["answered_but_not_submitted"]
    duplicated = report["contracts_with_more_than_one_return"] or report["returns_submitted_more_than_once"]
    if lost or duplicated or report["server_errors_5xx"]:
        print("FAILED: a return was lost or duplicated, or the server answered 5xx", file=sys.stderr)
        return 1
    if report["providers_unfinished"]:
        print(
            f"FAILED: {report['providers_unfinished']} providers had no answer to their submission when the run "
            "ended: the server was too slow for the rush",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
