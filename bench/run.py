"""`make bench`: build the data set, then measure in one process.

Each key page is requested for its role, interleaved with a trivial view (/healthz/) so the ratio
between them survives a noisy machine. Prints a table and writes bench/results.json. Nothing here
is asserted: the figures are for reading, and for the closing note of a change.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.settings.bench")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.backends.utils import CursorWrapper  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from bench.stats import percentile  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results.json"
REPEATS = int(os.environ.get("BENCH_REPEATS", "25"))
# BENCH_ONLY=pages,pdfs,imports,uploads picks sections; BENCH_REUSE=1 keeps an already-built data set.
ALL_SECTIONS = {"pages", "pdfs", "imports", "uploads"}
SECTIONS = set(os.environ.get("BENCH_ONLY", ",".join(sorted(ALL_SECTIONS))).split(","))
# The targets for a hostile upload: memory above the server's idle, and time.
UPLOAD_TARGET_MB, UPLOAD_TARGET_SECONDS = 100, 2
REUSE = os.environ.get("BENCH_REUSE") == "1"
# BENCH_EXPLAIN=1 prints the plan of every query of every key page (once, after its timings).
EXPLAIN = os.environ.get("BENCH_EXPLAIN") == "1"
SCALE = max(1, int(os.environ.get("BENCH_SCALE", "1")))
# BENCH_PAGES="Audit trail,Returns dashboard" measures only those pages (and the signed-in floor).
ONLY_PAGES = {p.strip() for p in os.environ.get("BENCH_PAGES", "").split(",") if p.strip()}


class DatabaseClock:
    """Adds up the time spent in the database and its driver, so a page's time can be split into
    database and Python (ORM, forms, templates), and counts the queries. Rows are counted as they are
    fetched as well as when the statement runs: SQLite computes most rows of a SELECT during the fetch.

    Counted here rather than by Django's CaptureQueriesContext, whose debug cursor writes out each query
    with its parameters (on PostgreSQL with server-side binding, composing it again): ten milliseconds
    on a page of thirty queries that no request pays in production."""

    running: DatabaseClock | None = None

    def __init__(self) -> None:
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start

    def __enter__(self) -> DatabaseClock:
        DatabaseClock.running = self
        return self

    def __exit__(self, *exc) -> None:
        DatabaseClock.running = None


def _timed_fetches(original):
    def getattr_timing_fetches(cursor, name):
        value = original(cursor, name)
        if name not in {"fetchone", "fetchmany", "fetchall"}:
            return value

        def fetch(*args, **kwargs):
            clock = DatabaseClock.running
            start = time.perf_counter()
            try:
                return value(*args, **kwargs)
            finally:
                if clock is not None:
                    clock.seconds += time.perf_counter() - start

        return fetch

    return getattr_timing_fetches


CursorWrapper.__getattr__ = _timed_fetches(CursorWrapper.__getattr__)  # the benchmark's process only


def timed_get(client: Client, url: str) -> tuple[float, int, int, float]:
    clock = DatabaseClock()
    with connection.execute_wrapper(clock), clock:
        start = time.perf_counter()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        elapsed = time.perf_counter() - start
    return elapsed, clock.queries, response.status_code, clock.seconds


def explain(client: Client, url: str) -> None:
    """Each SELECT the page runs, with the database's plan for it (EXPLAIN on PostgreSQL, EXPLAIN QUERY
    PLAN on SQLite), run again outside the request."""
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    prefix = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
    for number, query in enumerate(queries.captured_queries, 1):
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        print(f"  -- query {number}: {sql[:300]}{'...' if len(sql) > 300 else ''}")
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"{prefix} {sql}")
                for row in cursor.fetchall():
                    print("     ", " ".join(str(v) for v in row))
        except Exception as error:  # noqa: BLE001 - a plan that cannot be re-run is reported, not fatal
            print(f"     (no plan: {error})")


def measure_pages(world: dict) -> list[dict]:
    from commissioning.models import User

    clients = {"public": Client()}
    for role in ("officer", "partner", "provider", "evaluator"):
        client = Client()
        client.force_login(User.objects.get(email=world[role]))
        clients[role] = client
    framework, contract = world["framework"], world["contract"]
    # A re-user of open data reads the releases since a date, a page at a time: here from before the first, so
    # the first page is full (the page size, 100 releases) at both sizes and the figure compares the cost of
    # the same page (since a month ago, it would hold ten times the releases at ×10).
    since = "2020-01-01"
    pages = [
        ("Application list", "officer", ("frameworks:officer_applications", [framework.pk])),
        ("Approved list", "officer", ("approved_list:officer_list", [framework.reference])),
        ("Coverage matrix", "officer", ("coverage:matrix", [framework.reference])),
        ("Competition list", "officer", ("awards:officer_competitions", [])),
        ("Contract register", "officer", ("contracts:officer_register", [])),
        ("Contract detail", "officer", ("contracts:officer_contract", [contract.pk])),
        ("Returns dashboard", "officer", ("monitoring:dashboard", [])),
        ("Provider home", "provider", ("provider_home", [])),
        ("Partner approved list", "partner", ("approved_list:shared_list", [framework.reference])),
        ("Audit trail", "officer", ("admin:commissioning_auditevent_changelist", [])),
        ("Officer home", "officer", ("officer_home", [])),
        ("Evaluator home", "evaluator", ("evaluator_home", [])),
        ("Partner home", "partner", ("partner_home", [])),
        ("Notices to publish", "officer", ("notices:officer_notices", [])),
        ("Open data releases", "public", ("opendata:releases", [], f"since={since}")),
        ("Procedure record", "public", ("opendata:procedure_record", [world["notice_ocid"]])),
        # Not a key page: a static page signed in. It is what every page pays before its own content
        # (session, user, navigation), so it shows how much of a key page's ratio is left to its content.
        ("Signed-in floor", "officer", ("accessibility", [])),
    ]
    notes = {"Signed-in floor": "static page, for comparison"}
    trivial_client = Client()
    rows = []
    for label, role, (name, args, *query) in pages:
        if ONLY_PAGES and label not in ONLY_PAGES | {"Signed-in floor"}:
            continue
        try:
            url = reverse(name, args=args) + "".join(f"?{q}" for q in query)
        except NoReverseMatch:
            rows.append({"page": label, "url": None, "note": f"not built ({name} does not exist)"})
            continue
        client = clients[role]
        for _ in range(3):  # warm caches and template loading
            timed_get(client, url)
            timed_get(trivial_client, "/healthz/")
        page_times, trivial_times, database_times, counts, statuses = [], [], [], set(), set()
        for _ in range(REPEATS):
            elapsed, _, _, _ = timed_get(trivial_client, "/healthz/")
            trivial_times.append(elapsed)
            elapsed, queries, status, in_database = timed_get(client, url)
            page_times.append(elapsed)
            database_times.append(in_database)
            counts.add(queries)
            statuses.add(status)
        median, trivial = statistics.median(page_times), statistics.median(trivial_times)
        rows.append(
            {
                "page": label,
                "role": role,
                "url": url,
                "status": sorted(statuses),
                "median_ms": round(median * 1000, 2),
                "p95_ms": round(percentile(page_times, 0.95) * 1000, 2),
                "database_ms": round(statistics.median(database_times) * 1000, 2),
                "trivial_median_ms": round(trivial * 1000, 3),
                "ratio_to_trivial": round(median / trivial, 1),
                "queries": sorted(counts),
                "note": notes.get(label, ""),
            }
        )
        if EXPLAIN:
            print(f"\nPlans of {label} ({url})")
            explain(client, url)
    return rows


def measure_pdfs(world: dict) -> list[dict]:
    from django.utils import timezone

    from commissioning import documents, reports
    from commissioning.models import User

    officer = User.objects.get(email=world["officer"])
    today = timezone.localdate()
    requests = {
        "audit-trail-extract": {
            "params": {"date_from": (today - timedelta(days=20)).isoformat(), "date_to": today.isoformat()}
        },
        "outcome-letter": {"target": world["application"]},
        "framework-report": {"target": world["framework"]},
        "panel_report": {"params": {"authority": None, "as_of": today.isoformat()}},
        "contract-performance-report": {
            "target": world["contract"],
            "params": {"financial_year": 2025, "quarter": None},
        },
        "lot-quarterly-summary": {"target": world["lot"], "params": {"financial_year": 2025, "quarter": 2}},
    }
    tender = world.get("awarded_tender")
    if tender is not None:
        requests["assessment-summary"] = {"target": tender, "by": tender.competition.awards.get().decided_by}
    rows = []
    for kind in reports.registered_reports():
        spec = requests.get(kind)
        if spec is None:
            rows.append({"report": kind, "note": "no benchmark request defined"})
            continue
        start = time.perf_counter()
        spec = {"by": officer, **spec}
        document = documents.request_document(kind=kind, **spec)
        document.refresh_from_db()
        elapsed = time.perf_counter() - start
        pages = document.page_count or 0
        rows.append(
            {
                "report": kind,
                "status": document.status,
                "pages": pages,
                "seconds": round(elapsed, 3),
                "seconds_per_page": round(elapsed / pages, 3) if pages else None,
                "failure": document.failure_reason or "",
            }
        )
    return rows


def measure_imports(world: dict) -> list[dict]:
    import tablib

    from commissioning.models import Authority, User
    from contracts.resources import ContractResource
    from frameworks.resources import AppointmentResource

    officer = User.objects.get(email=world["officer"])
    framework = world["framework"]
    rows = []
    appointments = tablib.Dataset(
        headers=[
            "framework_reference",
            "lot_number",
            "supplier",
            "areas",
            "starts_on",
            "share_with_partners",
            "publish",
        ]
    )
    for i in range(10_000):
        appointments.append(
            (
                framework.reference,
                i % 4 + 1,
                f"Imported Provider {i // 4:05d}",
                "Birmingham; Coventry",
                "2024-07-01",
                "1",
                "1",
            )
        )
    start = time.perf_counter()
    result = AppointmentResource(user=officer).import_data(appointments, dry_run=False)
    rows.append(
        {
            "import": "approved list",
            "rows": len(appointments),
            "seconds": round(time.perf_counter() - start, 2),
            "errors": len(result.row_errors()) + len(result.invalid_rows),
        }
    )

    authority = Authority.objects.filter(is_lead_commissioner=True).first()
    supplier = world["supplier"]
    register = tablib.Dataset(
        headers=[
            "reference",
            "service",
            "contract_or_grant",
            "provider",
            "buying_authority",
            "start_date",
            "initial_end_date",
            "extension_options_months",
            "annual_value",
        ]
    )
    for i in range(10_000):
        register.append(
            (
                f"IMP-{i:05d}",
                f"Imported service {i}",
                "contract",
                supplier.legal_name,
                authority.name,
                "01/04/2025",
                "31/03/2028",
                "12+12",
                "125000.00",
            )
        )
    start = time.perf_counter()
    result = ContractResource().import_data(register, dry_run=False, user=officer)
    rows.append(
        {
            "import": "contract register",
            "rows": len(register),
            "seconds": round(time.perf_counter() - start, 2),
            "errors": len(result.row_errors()) + len(result.invalid_rows),
        }
    )
    return rows


def measure_hostile_uploads(world: dict) -> list[dict]:
    """Each hostile upload through its real view, in a process of its own (see bench/hostile_uploads.py)."""
    import subprocess

    from bench.hostile_uploads import CASES

    rows = []
    for case in CASES:
        done = subprocess.run(  # noqa: S603 - our own module, our own arguments
            [sys.executable, "-m", "bench.hostile_uploads", case, world["provider"]],
            capture_output=True,
            text=True,
            check=False,
            cwd=Path(__file__).resolve().parent.parent,
        )
        if done.returncode != 0:
            rows.append({"case": CASES[case], "note": f"failed: {done.stderr.strip().splitlines()[-1:]}"})
            continue
        row = json.loads(done.stdout.strip().splitlines()[-1])
        row["within_target"] = (
            row["status"] < 500
            and row["peak_above_idle_mb"] < UPLOAD_TARGET_MB
            and row["seconds"] < UPLOAD_TARGET_SECONDS
        )
        rows.append(row)
    return rows


def ensure_database() -> None:
    """Create the benchmark's own PostgreSQL database when it does not exist yet (SQLite makes its file)."""
    config = settings.DATABASES["default"]
    if "postgresql" not in config["ENGINE"]:
        return
    import psycopg
    from psycopg import sql

    params = {
        "dbname": "postgres",
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print(f"Created the database {config['NAME']}")


def print_table(title: str, rows: list[dict], columns: list[str]) -> None:
    print(f"\n{title}")
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(str(row.get(c, "")).ljust(widths[c]) for c in columns))


def main() -> int:
    from bench.build import build, existing

    print(
        f"Database: {settings.DATABASES['default']['ENGINE']} {settings.DATABASES['default']['NAME']}, "
        f"BENCH_SCALE={SCALE}"
    )
    ensure_database()
    call_command("migrate", verbosity=0, interactive=False)
    start = time.perf_counter()
    world = existing() if REUSE else None
    if world is None:
        world = build()
    built_in = time.perf_counter() - start
    # Planner statistics and PostgreSQL's visibility map, as a database in use has them: autovacuum may not
    # have run on a data set just built (index-only scans read the table until it has), and SQLite keeps no
    # statistics until asked (sqlite_stat1). Not counted in the build time.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    counts = {k: v for k, v in world.items() if isinstance(v, int)}
    print(f"{'Reused' if REUSE else 'Built'} the data set in {built_in:.1f} s: {counts}")
    pages, pdfs, imports, uploads = [], [], [], []
    if "pages" in SECTIONS:
        pages = measure_pages(world)
        print_table(
            "Key pages (server time in-process, interleaved with /healthz/)",
            pages,
            ["page", "role", "status", "median_ms", "p95_ms", "database_ms", "ratio_to_trivial", "queries", "note"],
        )
    if "pdfs" in SECTIONS:
        pdfs = measure_pdfs(world)
        print_table(
            "PDF reports", pdfs, ["report", "status", "pages", "seconds", "seconds_per_page", "failure", "note"]
        )
    if "imports" in SECTIONS:
        # Timed inside a transaction that is then rolled back, so a reused data set stays as built.
        with transaction.atomic():
            imports = measure_imports(world)
            transaction.set_rollback(True)
        print_table("Imports", imports, ["import", "rows", "seconds", "errors"])
    if "uploads" in SECTIONS:
        uploads = measure_hostile_uploads(world)
        print_table(
            f"Hostile uploads through the real views (targets: under {UPLOAD_TARGET_MB} MB above idle, "
            f"under {UPLOAD_TARGET_SECONDS} s)",
            uploads,
            ["case", "file_kib", "status", "seconds", "peak_above_idle_mb", "answer_kib", "within_target", "note"],
        )
        for row in uploads:
            if row.get("refused_with"):
                print(f"  {row['case'][:40]}: {row['refused_with']}")
    if pages and not ONLY_PAGES and not EXPLAIN:
        # Each scale and database keeps its own page figures, which `make bench-growth` compares (a run of
        # some pages only, or one that also printed plans, leaves them as they were).
        figures = Path(__file__).resolve().parent / f"pages-x{SCALE}-{connection.vendor}.json"
        figures.write_text(json.dumps({"scale": SCALE, "data": counts, "pages": pages}, indent=2, default=str))
        print(f"\nWrote {figures}")
    if ALL_SECTIONS - SECTIONS:
        print(f"\nPartial run ({', '.join(sorted(SECTIONS))}): {RESULTS.name} left as it was")
        return 0
    RESULTS.write_text(
        json.dumps(
            {
                "machine": {
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                    "cpus": os.cpu_count(),
                },
                "database": settings.DATABASES["default"]["ENGINE"],
                "repeats": REPEATS,
                "data": counts,
                "build_seconds": round(built_in, 1),
                "pages": pages,
                "pdfs": pdfs,
                "imports": imports,
                "hostile_uploads": uploads,
            },
            indent=2,
            default=str,
        )
    )
    print(f"\nWrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
