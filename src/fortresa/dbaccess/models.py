from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DatabaseAuditRun(models.Model):
    """One run of ``fortresa db audit``: when, against which server, and what it found."""

    ran_at = models.DateTimeField(_("ran at"), db_index=True)
    server = models.CharField(_("server"), max_length=200)
    passed = models.BooleanField(_("passed"))
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    warning_count = models.PositiveIntegerField(_("warnings"), default=0)
    findings = models.JSONField(_("findings"), default=list)

    class Meta:
        ordering = ["-ran_at"]
        verbose_name = _("database audit run")
        verbose_name_plural = _("database audit runs")

    def __str__(self) -> str:
        return f"{self.server} {self.ran_at:%Y-%m-%d %H:%M} {'pass' if self.passed else 'FAIL'}"
