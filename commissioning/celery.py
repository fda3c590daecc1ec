"""The Celery application. Broker and eager mode come from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.settings.dev")

app = Celery("commissioning")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
