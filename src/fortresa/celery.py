"""The Celery application the workers run (``fortresa worker``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fortresa.settings")

app = Celery("fortresa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
