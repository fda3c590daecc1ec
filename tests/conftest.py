"""Shared fixtures. Tests marked `worker` run against a real Celery worker on a real broker; they are
deselected (and say so) when CELERY_BROKER_URL is not set, as in the SQLite run of `make test`."""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings

from commissioning.models import User
from tests.factories import make_user

ROOT = Path(__file__).resolve().parent.parent


# Marker -> (is the real service there?, why it is deselected otherwise)
NEEDS = {
    "worker": (lambda: bool(os.environ.get("CELERY_BROKER_URL")), "CELERY_BROKER_URL is not set"),
    "postgres": (lambda: os.environ.get("DATABASE_URL", "").startswith("postgres"), "DATABASE_URL is not PostgreSQL"),
}


def pytest_collection_modifyitems(config, items):
    # The long walks first: collected last (tests/quality), they left one process running them alone
    # for minutes after the others had finished. A stable sort keeps every process's order the same.
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
    for marker, (available, why) in NEEDS.items():
        if available():
            continue
        needing = [item for item in items if item.get_closest_marker(marker)]
        if needing:
            config.hook.pytest_deselected(items=needing)
            items[:] = [item for item in items if not item.get_closest_marker(marker)]
            print(f"\n{len(needing)} '{marker}' tests deselected: {why}. CI runs them in its second run.")  # noqa: T201


@pytest.fixture(autouse=True)
def _rows_of_data_migrations(request):
    """A transactional test (`transaction=True`, a live server) ends by emptying every table, rows a data
    migration put there included: the Procurement Act thresholds. Tests that ran after one in the same
    process then found no threshold (with tests spread over processes, which ones did varied from run to
    run). Put them back before each database test when they are missing."""
    names = set(request.fixturenames)
    if request.node.get_closest_marker("django_db") is None:
        if not names & {"db", "transactional_db", "live_server"}:
            return
        # The database fixture a fixture of the test asks for, set up now rather than after this one.
        request.getfixturevalue("transactional_db" if names & {"transactional_db", "live_server"} else "db")
    from contracts.notices.models import Threshold

    if not Threshold.objects.exists():
        seed = importlib.import_module("contracts.migrations.0004_procurement_act_notices")
        seed.add_thresholds(django_apps, None)


@pytest.fixture(scope="session", autouse=True)
def _name_lingering_database_sessions(django_db_setup, django_db_blocker):
    """PostgreSQL will not drop the test database while another session is connected to it, and pytest
    then only warns. Name any such session (its application and last statement) so the warning can be
    traced. Torn down before the database, and after the session's Celery worker has stopped."""
    yield
    from django.db import connection
    from django.db.backends.base.creation import TEST_DATABASE_PREFIX

    if connection.vendor != "postgresql" or not str(connection.settings_dict["NAME"]).startswith(TEST_DATABASE_PREFIX):
        return  # not PostgreSQL, or no test database was set up (no test in this run needed one)
    query = (
        "SELECT pid, application_name, backend_start, state, left(query, 300) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    with django_db_blocker.unblock():
        for _ in range(20):  # a client that has just gone takes a moment to leave pg_stat_activity
            with connection.cursor() as cursor:
                cursor.execute(query)
                lingering = cursor.fetchall()
            if not lingering:
                return
            time.sleep(0.1)
    report = ROOT / "test-artifacts" / _per_test_process("lingering-database-sessions.log")
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("\n".join(repr(row) for row in lingering) + "\n")
    print(f"\n{len(lingering)} other session(s) still on the test database; see {report}")  # noqa: T201


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with nothing cached: filter choices kept by a test whose rows were rolled back would
    otherwise be offered to the next one's user with the same key (`commissioning.choices`)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def officer(db) -> User:
    return make_user(User.Role.OFFICER)


@pytest.fixture
def evaluator(db) -> User:
    return make_user(User.Role.EVALUATOR)


@pytest.fixture
def provider(db) -> User:
    return make_user(User.Role.PROVIDER)


@pytest.fixture
def partner(db) -> User:
    return make_user(User.Role.PARTNER)


def _database_url_for_worker() -> str:
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("postgresql"):
        port = db.get("PORT") or 5432
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        return f"postgres://{db['USER']}{password}@{db['HOST']}:{port}/{db['NAME']}"
    raise RuntimeError("The real-worker tests need PostgreSQL: the worker must share the test database.")


def _per_test_process(name: str) -> str:
    """A log file name of this pytest-xdist process's own (the name as it is without xdist)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"{worker}-{name}" if worker else name


class RunningWorker:
    """A `celery worker` subprocess on the test database and the configured broker."""

    def __init__(self, process: subprocess.Popen, node: str, log_path: Path):
        self.process = process
        self.node = node
        self.log_path = log_path

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement, nothing flushed, as when a machine dies."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=20)


def start_worker(
    *,
    env: dict[str, str] | None = None,
    queue: str | None = None,
    include: list[str] | None = None,
    log_name: str = "celery-worker.log",
) -> RunningWorker:
    """Start a worker and wait until it answers a ping. `env` is added to (and overrides) the
    environment; `queue` makes it consume only that queue; `include` imports more modules at start."""
    from commissioning.celery import app

    node = f"test-{uuid.uuid4().hex[:8]}@localhost"
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "commissioning.settings.test",
        "DATABASE_URL": _database_url_for_worker(),
        "CELERY_BROKER_URL": settings.TEST_BROKER_URL,
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "commissioning",
        "worker",
        "-P",
        "solo",
        "-n",
        node,
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
    ]
    if queue:
        command += ["-Q", queue]
    if include:
        command += ["--include", ",".join(include)]
    log_path = ROOT / "test-artifacts" / _per_test_process(log_name)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "a") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    worker = RunningWorker(process, node, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(destination=[node], timeout=1.0):
            return worker
        if process.poll() is not None:
            raise RuntimeError(f"Celery worker exited early; see {log_path}")
    worker.stop()
    raise RuntimeError(f"Celery worker did not answer a ping within 60 s; see {log_path}")


@pytest.fixture(scope="session")
def _celery_worker_process(django_db_setup, django_db_blocker):
    """A real `celery worker` process on the test database and the configured broker, started once for the
    test process by the first test that needs it."""
    from commissioning.celery import app

    (ROOT / "test-artifacts" / _per_test_process("celery-worker.log")).unlink(missing_ok=True)
    app.control.purge()
    with django_db_blocker.unblock():
        worker = start_worker()
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def celery_worker(_celery_worker_process):
    """The test process's real worker, with this test's tasks sent to it instead of run in the test.
    Only for this test: when the switch lasted the whole session, every test that ran after one that
    used the worker had its e-mails and documents queued for a worker instead of done (16 failed once
    the test order changed)."""
    from commissioning.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield _celery_worker_process.process
    finally:
        app.conf.task_always_eager = previous


@pytest.fixture
def celery_workers(django_db_setup, django_db_blocker):
    """Start workers of a test's own (`start(queue=..., env=...)`), e.g. with a different email backend,
    and stop whatever is left of them at the end. Give each its own queue so that the session's
    `celery_worker`, if running, never takes their tasks."""
    from commissioning.celery import app

    started: list[RunningWorker] = []

    def start(**kwargs) -> RunningWorker:
        with django_db_blocker.unblock():
            worker = start_worker(log_name="celery-worker-own.log", **kwargs)
        started.append(worker)
        return worker

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield start
    finally:
        app.conf.task_always_eager = previous
        for worker in started:
            worker.stop()


@pytest.fixture
def mail_server(settings):
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that this process's e-mail goes to. It accepts until
    told to refuse (`mail_server.refusing = TRY_LATER`)."""
    from tests.mailserver import MailServer, RunningMailServer

    with RunningMailServer(MailServer()) as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = server.host
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 10
        yield server
