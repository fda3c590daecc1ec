"""The test suite: the database of DATABASE_URL (SQLite when unset), fast hashing, mail in memory."""

from .base import *  # noqa: F403
from .base import BASE_DIR, CELERY_BROKER_URL_SETTING

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
