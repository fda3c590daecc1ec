"""Shared fixtures. Tests marked `worker` run against a real Celery worker on a real broker; they are
deselected (and say so) when CELERY_BROKER_URL is not set, as in the SQLite run of `make test`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from commissioning.models import User
from tests.factories import make_user

ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(config, items):
    if os.environ.get("CELERY_BROKER_URL"):
        return
    worker_items = [item for item in items if item.get_closest_marker("worker")]
    if worker_items:
        config.hook.pytest_deselected(items=worker_items)
        items[:] = [item for item in items if not item.get_closest_marker("worker")]
        print(  # noqa: T201
            f"\n{len(worker_items)} real-worker tests deselected: CELERY_BROKER_URL is not set. "
            "CI runs them against Redis."
        )


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


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


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """Start a real `celery worker` process on the test database and the configured broker."""
    from commissioning.celery import app

    with django_db_blocker.unblock():
        database_url = _database_url_for_worker()
    node = f"test-{uuid.uuid4().hex[:8]}@localhost"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "commissioning.settings.test",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": settings.TEST_BROKER_URL,
    }
    log_path = ROOT / "test-artifacts" / "celery-worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    app.control.purge()
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
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
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if app.control.ping(destination=[node], timeout=1.0):
                break
            if process.poll() is not None:
                raise RuntimeError(f"Celery worker exited early; see {log_path}")
        else:
            raise RuntimeError(f"Celery worker did not answer a ping within 60 s; see {log_path}")
        previous = app.conf.task_always_eager
        app.conf.task_always_eager = False
        yield process
        app.conf.task_always_eager = previous
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
