"""Every entry of the worker's timetable names a task the workers actually know."""

from __future__ import annotations

import pytest
from django.conf import settings

from fortresa.celery import app

pytestmark = pytest.mark.smoke


def test_every_scheduled_job_is_a_registered_task() -> None:
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled, "no scheduled jobs at all"
    assert sorted(scheduled - set(app.tasks)) == []


def test_lockout_counters_are_purged_daily() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["accounts-purge-login-throttle"]
    assert entry["schedule"] == 24 * 60 * 60.0
