"""The payments entries in ``CELERY_BEAT_SCHEDULE`` (read by settings.py; no Django)."""

from __future__ import annotations

from typing import Any


def beat_schedule() -> dict[str, dict[str, Any]]:
    return {
        "payments-release-expired-holds": {
            "task": "fortresa.payments.tasks.release_expired_holds",
            "schedule": 60.0,
            "options": {"expires": 60.0},
        },
        "payments-reconcile": {
            "task": "fortresa.payments.tasks.reconcile_payments",
            "schedule": 300.0,
            "options": {"expires": 300.0},
        },
    }
