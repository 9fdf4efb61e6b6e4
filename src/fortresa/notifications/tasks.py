"""Workers' side of the pipeline: send one message now, or every message that is due."""

from __future__ import annotations

from fortresa.celery import app
from fortresa.notifications.delivery import deliver, due_message_ids


@app.task
def deliver_message(log_id: int) -> str:
    """First attempt, right after the message was queued. Idempotent."""
    return deliver(log_id)


@app.task
def deliver_due_messages(limit: int = 200) -> dict[str, int]:
    """Retry every queued message whose backoff has passed (run every minute)."""
    outcome: dict[str, int] = {}
    for log_id in due_message_ids(limit=limit):
        status = deliver(log_id)
        outcome[status] = outcome.get(status, 0) + 1
    return outcome
