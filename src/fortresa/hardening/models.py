from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CspReport(models.Model):
    """One Content Security Policy violation a browser reported to ``/csp-report/``.

    Fields are cut to bounded lengths on the way in; ``raw`` keeps the (size-limited)
    report as received so detection and an operator can read what a browser said.
    """

    class Format(models.TextChoices):
        REPORT_URI = "report-uri", _("report-uri (application/csp-report)")
        REPORTING_API = "reporting-api", _("Reporting API (application/reports+json)")

    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    format = models.CharField(max_length=20, choices=Format.choices)
    document_uri = models.CharField(max_length=500, blank=True)
    effective_directive = models.CharField(max_length=100, blank=True)
    violated_directive = models.CharField(max_length=300, blank=True)
    blocked_uri = models.CharField(max_length=500, blank=True)
    source_file = models.CharField(max_length=500, blank=True)
    line_number = models.PositiveIntegerField(null=True, blank=True)
    disposition = models.CharField(max_length=20, blank=True)
    sample = models.CharField(max_length=200, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    raw = models.JSONField(default=dict)

    class Meta:
        ordering = ("-received_at", "-id")
        verbose_name = _("CSP violation report")
        verbose_name_plural = _("CSP violation reports")

    def __str__(self) -> str:
        return f"{self.effective_directive or self.violated_directive} {self.blocked_uri}"
