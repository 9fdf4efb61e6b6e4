"""The status area's entries in ``CELERY_BEAT_SCHEDULE`` (read by settings.py).

Imports nothing from Django, so settings can call it.
"""

from __future__ import annotations

from typing import Any

from fortresa.core.env import Env
from fortresa.status.conf import status_settings


def beat_schedule(env: Env) -> dict[str, dict[str, Any]]:
    every = float(status_settings(env).interval_seconds)
    return {
        "status-run-checks": {
            "task": "fortresa.status.tasks.run_checks",
            "schedule": every,
            "options": {"expires": every},
        },
        "status-heartbeat": {
            "task": "fortresa.status.tasks.record_heartbeat",
            "schedule": every,
            "options": {"expires": every},
        },
        "status-purge-history": {
            "task": "fortresa.status.tasks.purge_status_history",
            "schedule": 3600.0,
        },
    }
