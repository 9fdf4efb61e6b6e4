"""Alert delivery, run by the workers (eagerly in tests)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from fortresa.detection.channels import DeliveryError, enabled_channels
from fortresa.detection.models import Alert, AlertDelivery


@shared_task
def deliver_alert(alert_id: int) -> list[str]:
    """Send one alert through every configured channel not yet delivered (idempotent)."""
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        return []
    done = set(
        alert.deliveries.filter(status=AlertDelivery.Status.SENT).values_list("channel", flat=True)
    )
    outcomes: list[str] = []
    for channel in enabled_channels():
        if channel.identifier in done:
            continue
        try:
            attempts = channel.send(alert)
        except DeliveryError as exc:
            AlertDelivery.objects.create(
                alert=alert,
                channel=channel.identifier,
                status=AlertDelivery.Status.FAILED,
                attempts=channel.config.webhook_attempts,
                error=str(exc)[:300],
                delivered_at=timezone.now(),
            )
            outcomes.append(f"{channel.identifier}:failed")
            continue
        AlertDelivery.objects.create(
            alert=alert,
            channel=channel.identifier,
            status=AlertDelivery.Status.SENT,
            attempts=attempts,
            delivered_at=timezone.now(),
        )
        outcomes.append(f"{channel.identifier}:sent")
    return outcomes
