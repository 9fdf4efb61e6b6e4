"""Celery beat entries of the database access area: the daily audit, on PostgreSQL."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from fortresa.core.env import Env
from fortresa.dbaccess.config import POSTGRESQL_ENGINES


def beat_schedule(env: Env, *, database_engine: str) -> dict[str, dict[str, Any]]:
    if database_engine not in POSTGRESQL_ENGINES:
        return {}  # SQLite has no roles, pg_hba or TLS to audit
    hour = env.integer("FORTRESA_DB_AUDIT_HOUR", 4, minimum=0)
    return {
        "dbaccess-daily-audit": {
            "task": "fortresa.dbaccess.tasks.audit_database_server",
            "schedule": crontab(hour=str(hour % 24), minute="17"),
        }
    }
