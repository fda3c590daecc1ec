"""The laptop demo: SQLite, eager Celery, email printed to the console."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
