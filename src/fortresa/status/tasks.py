"""Scheduled monitoring and the emails of the status area, run by the workers."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from fortresa.celery import app
from fortresa.notifications.services import send_email
from fortresa.status.conf import status_settings
from fortresa.status.models import CheckResult, DailyUptime, IncidentUpdate, Subscriber
from fortresa.status.services import monitoring, subscriptions

UPTIME_KEPT = timedelta(days=400)


def _absolute(path: str) -> str:
    return str(settings.FORTRESA_SITE_URL).rstrip("/") + path


@app.task
def run_checks() -> int:
    """Run every registered probe; returns how many component statuses changed."""
    return len(monitoring.run_status_checks())


@app.task
def record_heartbeat() -> None:
    monitoring.record_heartbeat()


@app.task
def purge_status_history() -> int:
    """Drop raw results past the retention period, old daily counts and stale sign-ups."""
    now = timezone.now()
    conf = status_settings()
    results, _ = CheckResult.objects.filter(checked_at__lt=now - conf.result_retention).delete()
    days, _ = DailyUptime.objects.filter(day__lt=(now - UPTIME_KEPT).date()).delete()
    return results + days + subscriptions.purge_unconfirmed_subscribers(now=now)


@app.task
def send_subscription_confirmation(subscriber_id: int) -> bool:
    subscriber = Subscriber.objects.filter(pk=subscriber_id, confirmed_at__isnull=True).first()
    if subscriber is None:
        return False
    token = subscriptions.confirmation_token(subscriber)
    context = {"confirm_url": _absolute(reverse("status:confirm", args=[token]))}
    send_email(
        to=subscriber.email,
        kind="status_confirmation",
        context=context,
        language=subscriber.language,
    )
    return True


@app.task
def notify_subscribers(update_id: int) -> int:
    """Tell every confirmed subscriber of one incident update; returns how many were told.

    Idempotent: an update is announced once, even if the task runs again.
    """
    update = IncidentUpdate.objects.select_related("incident").filter(pk=update_id).first()
    if update is None or update.notified_at is not None:
        return 0
    claimed = IncidentUpdate.objects.filter(pk=update_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return 0
    sent = 0
    incident_url = _absolute(reverse("status:incident", args=[update.incident_id]))
    for subscriber in Subscriber.objects.filter(confirmed_at__isnull=False).order_by("pk"):
        token = subscriptions.unsubscribe_token(subscriber)
        # Not "unsubscribe_url": the mail pipeline fills that with its own preference link.
        context = {
            "incident": update.incident,
            "update": update,
            "incident_url": incident_url,
            "status_unsubscribe_url": _absolute(reverse("status:unsubscribe", args=[token])),
        }
        send_email(
            to=subscriber.email, kind="status_update", context=context, language=subscriber.language
        )
        sent += 1
    return sent
