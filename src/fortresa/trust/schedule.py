"""The security page's entry in ``CELERY_BEAT_SCHEDULE``."""

from __future__ import annotations

from typing import Any

# The reading is shown with its time; every ten minutes keeps it current without load.
READ_SITE_EVERY_SECONDS = 600.0


def beat_schedule() -> dict[str, dict[str, Any]]:
    return {
        "trust-read-site": {
            "task": "fortresa.trust.tasks.read_site",
            "schedule": READ_SITE_EVERY_SECONDS,
        }
    }
