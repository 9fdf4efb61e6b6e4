from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditRun(models.Model):
    """One run of ``fortresa deps audit``: when, against what, and what it found.

    The status page reads the newest row to show the age and result of the last audit.
    """

    class Result(models.TextChoices):
        PASSED = "passed", _("passed")
        FAILED = "failed", _("failed")
        ERROR = "error", _("could not run")

    ran_at = models.DateTimeField(default=timezone.now, db_index=True)
    result = models.CharField(max_length=8, choices=Result.choices)
    # "offline" (an OSV directory) or "online" (pip-audit's service).
    mode = models.CharField(max_length=8)
    database = models.CharField(max_length=500, blank=True)
    # What was audited: "environment" and/or lock file paths.
    sources = models.JSONField(default=list)
    fail_on = models.CharField(max_length=8)
    packages_checked = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)
    findings = models.JSONField(default=list)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-ran_at", "-id"]
        verbose_name = _("dependency audit run")

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M} {self.result} ({len(self.findings)} findings)"

    @property
    def finding_count(self) -> int:
        return len(self.findings)
