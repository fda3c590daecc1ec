"""Where the machine's CPU went during the load test, by kind of process: the server (gunicorn), the
database (postgres), the Celery worker, the load generator itself (locust) and the rest. On one machine
the rush's latency depends on what else wants a CPU, so the report says how busy the CPUs were and who
used them.

    python -m bench.cpu_share watch &   # before the load; kill -TERM it after: writes loadtest-cpu.json

Reads /proc (Linux); elsewhere it writes nothing and the report leaves the figures out."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULT = HERE / "loadtest-cpu.json"
PROC = Path("/proc")
KINDS = {
    "gunicorn": "server (gunicorn)",
    "postgres": "database (postgres)",
    "celery": "worker (celery)",
    "locust": "load generator (locust)",
}


def kind_of(command_line: str) -> str:
    for word, kind in KINDS.items():
        if word in command_line:
            return kind
    return "other"


def cpu_by_process() -> dict[str, tuple[str, float]]:
    """Each live process's CPU so far (user and system, seconds) and its kind, by pid."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command_line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone since the listing
            continue
        fields = stat.rsplit(")", 1)[1].split()
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        found[entry.name] = (kind_of(command_line or name), (int(fields[11]) + int(fields[12])) / ticks)
    return found


def share(before: dict, after: dict, seconds: float, cpus: int) -> dict:
    """CPU seconds each kind used between the two readings (a process started since counts whole) and the
    share of all the machine's CPUs over that time."""
    used: dict[str, float] = {}
    for pid, (kind, cpu) in after.items():
        earlier = before.get(pid)
        spent = cpu - earlier[1] if earlier and earlier[0] == kind else cpu
        used[kind] = used.get(kind, 0.0) + max(spent, 0.0)
    capacity = seconds * cpus
    return {
        "seconds": round(seconds, 1),
        "cpus": cpus,
        "cpu_seconds": {kind: round(value, 1) for kind, value in sorted(used.items(), key=lambda kv: -kv[1])},
        "busy_share": round(sum(used.values()) / capacity, 2) if capacity else None,
    }


def machine_ticks() -> tuple[int, int, int]:
    """All CPUs' busy, stolen and total ticks since boot (/proc/stat's first line). Stolen: time a virtual
    machine's CPUs were ready to run and the host ran something else."""
    values = [int(v) for v in (PROC / "stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle and waiting for I/O
    stolen = values[7] if len(values) > 7 else 0
    total = sum(values[:8])  # guest time is counted in user time already
    return total - idle - stolen, stolen, total


def watch() -> dict:
    """Reads every process's CPU twice a second until told to stop (SIGTERM or SIGINT), so that a process
    that ends during the run (locust itself, a database connection closed) is counted up to its last
    reading; then what each kind used, and the share of the machine's CPUs that was busy (/proc/stat)."""
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    signal.signal(signal.SIGINT, lambda *_: stop.append(True))
    started, first_ticks = time.monotonic(), machine_ticks()
    first = cpu_by_process()
    last = dict(first)
    while not stop:
        time.sleep(0.5)
        last.update(cpu_by_process())
    busy, stolen, total = (after - before for after, before in zip(machine_ticks(), first_ticks, strict=True))
    result = share(first, last, time.monotonic() - started, os.cpu_count() or 1)
    result["busy_share"] = round(busy / total, 2) if total else None
    result["stolen_share"] = round(stolen / total, 2) if total else None
    return result


def main(argv: list[str]) -> int:
    if not PROC.joinpath("self", "stat").exists():
        return 0
    if argv[1:] == ["watch"]:
        RESULT.unlink(missing_ok=True)
        RESULT.write_text(json.dumps(watch(), indent=2))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
