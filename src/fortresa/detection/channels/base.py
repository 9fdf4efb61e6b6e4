"""The contract every alert channel fulfils."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from django.conf import settings
from django.utils import translation

from fortresa.detection.conf import DetectionSettings, detection_settings
from fortresa.detection.models import Alert


class DeliveryError(Exception):
    """The channel could not deliver the alert (after its own retries)."""


class AlertChannel(ABC):
    """Delivers one alert somewhere outside the application.

    ``send`` must not change the alert; it raises ``DeliveryError`` when delivery failed
    and returns the number of attempts it took otherwise. Evidence is already redacted.
    """

    identifier: ClassVar[str] = ""

    def __init__(self, config: DetectionSettings) -> None:
        self.config = config

    @classmethod
    @abstractmethod
    def configured(cls, config: DetectionSettings) -> bool: ...

    @abstractmethod
    def send(self, alert: Alert) -> int: ...


def alert_document(alert: Alert) -> dict[str, Any]:
    """The alert as channels send it: no secret, only redacted evidence."""
    site = str(getattr(settings, "FORTRESA_SITE_URL", "")).rstrip("/")
    # The deployment's language, whatever the delivering thread had active.
    with translation.override(settings.LANGUAGE_CODE):
        title = str(alert.get_kind_display())
    return {
        "id": alert.pk,
        "kind": alert.kind,
        "title": title,
        "severity": alert.severity,
        "source": alert.source,
        "subject": alert.subject,
        "count": alert.count,
        "first_seen": alert.first_seen.isoformat(),
        "last_seen": alert.last_seen.isoformat(),
        "state": alert.state,
        "evidence": alert.evidence,
        "url": f"{site}/ops/alerts/{alert.pk}/",
    }


def enabled_channels() -> list[AlertChannel]:
    from fortresa.detection.channels.email import EmailChannel
    from fortresa.detection.channels.webhook import WebhookChannel

    config = detection_settings()
    registry: list[type[AlertChannel]] = [EmailChannel, WebhookChannel]
    return [channel(config) for channel in registry if channel.configured(config)]
