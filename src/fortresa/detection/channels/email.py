"""Alert email to ``FORTRESA_SECURITY_EMAILS``."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.mail import EmailMessage

from fortresa.detection.channels.base import AlertChannel, DeliveryError, alert_document
from fortresa.detection.conf import DetectionSettings
from fortresa.detection.models import Alert


class EmailChannel(AlertChannel):
    identifier = "email"

    @classmethod
    def configured(cls, config: DetectionSettings) -> bool:
        return bool(config.security_emails)

    def send(self, alert: Alert) -> int:
        document = alert_document(alert)
        subject = f"[Fortresa {alert.severity.upper()}] {document['title']}"
        lines = [
            f"Alert: {document['title']} ({alert.kind})",
            f"Severity: {alert.severity}",
            f"Source: {alert.source}",
            f"Subject: {alert.subject or '-'}",
            f"First seen: {document['first_seen']}",
            f"Count: {alert.count}",
            f"Triage: {document['url']}",
            "",
            "Evidence (redacted):",
            json.dumps(alert.evidence, indent=2, ensure_ascii=False, sort_keys=True),
        ]
        message = EmailMessage(
            subject=subject,
            body="\n".join(lines),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=list(self.config.security_emails),
        )
        try:
            message.send(fail_silently=False)
        except OSError as exc:
            raise DeliveryError(f"email: {exc}") from exc
        return 1
