"""The worker scheduler's backup entries (merged into ``CELERY_BEAT_SCHEDULE``).

This module is imported by the settings, so it reads only the environment and imports
no models.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fortresa.backups.config import schedule_from
from fortresa.core.env import Env

DAILY = timedelta(days=1)


def beat_schedule(env: Env, *, database_engine: str) -> dict[str, dict[str, Any]]:
    """Full and differential backups to each repository in turn, WAL-free incrementals on
    SQLite, daily verification, drill and expiry, and a monitor every five minutes."""
    schedule = schedule_from(env)
    default = "sqlite" if database_engine.endswith("sqlite3") else "pgbackrest"
    engine = env.choice("FORTRESA_BACKUP_ENGINE", ("pgbackrest", "sqlite"), default)
    task = "fortresa.backups.tasks."
    entries: dict[str, dict[str, Any]] = {
        "backups-full": {
            "task": task + "run_backups",
            "schedule": schedule.full_every,
            "args": ("full",),
        },
        "backups-diff": {
            "task": task + "run_backups",
            "schedule": schedule.diff_every,
            "args": ("diff",),
        },
        "backups-verify": {"task": task + "verify_backups", "schedule": DAILY},
        "backups-drill": {"task": task + "run_drills", "schedule": DAILY},
        "backups-expire": {"task": task + "expire_backups", "schedule": DAILY},
        "backups-monitor": {"task": task + "check_backups", "schedule": timedelta(minutes=5)},
    }
    if engine == "sqlite":
        entries["backups-incr"] = {
            "task": task + "run_backups",
            "schedule": schedule.incr_every,
            "args": ("incr",),
        }
    else:
        entries["backups-fingerprint"] = {
            "task": task + "record_fingerprint",
            "schedule": timedelta(minutes=15),
        }
    return entries
