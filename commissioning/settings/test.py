"""The test suite: the database of DATABASE_URL (SQLite when unset), fast hashing, mail in memory."""

import os
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import BASE_DIR, CELERY_BROKER_URL_SETTING
from .env import celery_settings


def broker_of_test_process(broker_url: str, xdist_worker: str) -> str:
    """Each pytest-xdist process (gw0, gw1, ...) gets a Redis database of its own (1, 2, ...), so the Celery
    worker one process starts never takes another's tasks, which write to that process's test database.
    Idempotent: the worker subprocess inherits PYTEST_XDIST_WORKER and comes to the same URL."""
    if not broker_url or not xdist_worker.startswith("gw") or not broker_url.startswith("redis"):
        return broker_url
    parts = urlsplit(broker_url)
    return urlunsplit(parts._replace(path=f"/{int(xdist_worker[2:]) + 1}"))


CELERY_BROKER_URL_SETTING = broker_of_test_process(CELERY_BROKER_URL_SETTING, os.environ.get("PYTEST_XDIST_WORKER", ""))
globals().update(celery_settings(CELERY_BROKER_URL_SETTING))
if CELERY_BROKER_URL_SETTING:
    # Celery prefers the environment variable to the setting: make them agree.
    os.environ["CELERY_BROKER_URL"] = CELERY_BROKER_URL_SETTING

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "test-artifacts" / "media"
PORTAL_BASE_URL = "http://testserver"
ALLOWED_HOSTS = ["*"]
# Tests sign in with force_login; those about two-factor turn it back on.
SKIP_TWO_FACTOR = True
# Tests that need the real worker opt in through the `celery_worker` fixture; the rest run eagerly
# so that their effects are inside the test's own transaction.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
TEST_BROKER_URL = CELERY_BROKER_URL_SETTING
