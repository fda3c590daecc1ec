"""The benchmark: its own database (bench/bench.sqlite3, or `<name>_bench` on the PostgreSQL of
DATABASE_URL) so the numbers never touch or depend on the demo or test data."""

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES

DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "bench" / "media"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["NAME"] = BASE_DIR / "bench" / "bench.sqlite3"
else:
    DATABASES["default"]["NAME"] = f"{DATABASES['default']['NAME']}_bench"
# The benchmark measures what a page costs once signed in; the second factor is a sign-in step, not a page.
SKIP_TWO_FACTOR = True
