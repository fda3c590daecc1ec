"""The deadline-rush load test: gunicorn on 127.0.0.1 over plain HTTP against PostgreSQL, in a
database of its own (`<name>_loadtest`). Everything else is as in production."""

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
MEDIA_ROOT = BASE_DIR / "bench" / "loadtest-media"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
DATABASES["default"]["NAME"] = f"{DATABASES['default']['NAME']}_loadtest"
DATABASES["default"]["CONN_MAX_AGE"] = 60
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # sessions are made directly
