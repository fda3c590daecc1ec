"""The laptop demo: SQLite, eager Celery, email printed to the console."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
# The demo's officers, evaluators and partners would otherwise need an authenticator app.
SKIP_TWO_FACTOR = env_bool("SKIP_TWO_FACTOR", True)
