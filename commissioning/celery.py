"""The Celery application. Broker and eager mode come from Django settings (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.settings.dev")

app = Celery("commissioning")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _load_weasyprint(**kwargs) -> None:
    """Import WeasyPrint once in the worker's main process, before it forks its children: finding its
    C libraries takes about half a second, which the first PDF of every child would otherwise pay."""
    import weasyprint  # noqa: F401
