"""Alert webhook: JSON POST signed with HMAC-SHA256 over ``timestamp.body``, with retries.

Receivers verify with ``verify_signature`` (or its equivalent): recompute
``hex(hmac_sha256(secret, f"{timestamp}.{body}"))``, compare in constant time, and
refuse timestamps older than a few minutes so a captured request cannot be replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings

from fortresa.detection.channels.base import AlertChannel, DeliveryError, alert_document
from fortresa.detection.conf import DetectionSettings
from fortresa.detection.models import Alert

SIGNATURE_HEADER = "X-Fortresa-Signature"
TIMESTAMP_HEADER = "X-Fortresa-Timestamp"
EVENT_HEADER = "X-Fortresa-Event"
TIMEOUT_SECONDS = 5.0
DEFAULT_BACKOFF = (0.5, 2.0, 5.0)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    secret: str, timestamp: str, body: bytes, signature: str, *, tolerance: int = 300
) -> bool:
    """Whether ``signature`` is ours for this body and the timestamp is recent."""
    if not secret:
        return False
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), signature)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect())


class WebhookChannel(AlertChannel):
    identifier = "webhook"

    @classmethod
    def configured(cls, config: DetectionSettings) -> bool:
        # Fail closed: a webhook without a secret would send unsigned alerts.
        return bool(config.webhook_url and config.webhook_secret)

    def _post(self, body: bytes, event_id: str) -> None:
        timestamp = str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310 - URL is operator configuration
            self.config.webhook_url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "Fortresa-Alerts/1",
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: sign(self.config.webhook_secret, timestamp, body),
                EVENT_HEADER: event_id,
            },
        )
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            if not 200 <= response.status < 300:
                raise DeliveryError(f"webhook answered {response.status}")

    def send(self, alert: Alert) -> int:
        body = json.dumps(alert_document(alert), sort_keys=True).encode()
        backoff = tuple(getattr(settings, "FORTRESA_ALERT_WEBHOOK_BACKOFF", DEFAULT_BACKOFF))
        attempts = max(1, self.config.webhook_attempts)
        last_error = ""
        for attempt in range(1, attempts + 1):
            try:
                self._post(body, f"alert-{alert.pk}")
            except (OSError, DeliveryError) as exc:
                last_error = str(exc)[:200]
                if attempt < attempts:
                    time.sleep(backoff[min(attempt - 1, len(backoff) - 1)] if backoff else 0)
                continue
            return attempt
        raise DeliveryError(f"webhook failed after {attempts} attempts: {last_error}")
