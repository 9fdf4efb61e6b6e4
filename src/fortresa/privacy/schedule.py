"""The privacy area's entries in ``CELERY_BEAT_SCHEDULE`` (read by settings.py).

Imports nothing from Django, so settings can call it.
"""

from __future__ import annotations

from typing import Any


def beat_schedule() -> dict[str, dict[str, Any]]:
    return {
        # Every 10 minutes: a reminder is at most 10 minutes late on a 72-hour clock.
        "privacy-breach-reminders": {
            "task": "fortresa.privacy.tasks.send_breach_reminders",
            "schedule": 600.0,
            "options": {"expires": 600.0},
        },
        "privacy-retention-purge": {
            "task": "fortresa.privacy.tasks.purge_expired_data",
            "schedule": 86400.0,
        },
    }
