"""Small helpers that read settings from environment variables with safe defaults."""

import os
from datetime import time

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_time(name: str, default: str) -> time:
    value = os.environ.get(name) or default
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be HH:MM, not {value!r}") from exc


def env_required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set in production.")
    return value


def celery_settings(broker_url: str) -> dict:
    """Redis broker when one is configured; otherwise run tasks eagerly in-process.

    Kept as a function so that the choice can be tested without reloading settings.
    """
    common = {
        "CELERY_TASK_ACKS_LATE": True,
        "CELERY_TASK_REJECT_ON_WORKER_LOST": True,
        "CELERY_WORKER_PREFETCH_MULTIPLIER": 1,
        "CELERY_TASK_SERIALIZER": "json",
        "CELERY_RESULT_SERIALIZER": "json",
        "CELERY_ACCEPT_CONTENT": ["json"],
        "CELERY_TASK_TIME_LIMIT": 300,
        "CELERY_TASK_SOFT_TIME_LIMIT": 240,
        # What a task did is written by the task itself (an e-mail's row, a document's status, the audit
        # trail); nothing waits for a result. Kept, each call from a request would subscribe that process to
        # the result's channel on Redis, under a lock its threads share. A caller that wants one asks for it
        # (`apply_async(..., ignore_result=False)`).
        "CELERY_TASK_IGNORE_RESULT": True,
    }
    if broker_url:
        return {
            **common,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_RESULT_BACKEND": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": False,
            "CELERY_TASK_EAGER_PROPAGATES": False,
            "CELERY_BROKER_TRANSPORT_OPTIONS": {"visibility_timeout": 3600},
        }
    return {
        **common,
        "CELERY_BROKER_URL": "memory://",
        "CELERY_RESULT_BACKEND": "cache+memory://",
        "CELERY_TASK_ALWAYS_EAGER": True,
        "CELERY_TASK_EAGER_PROPAGATES": True,
    }
