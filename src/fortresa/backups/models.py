"""What the backup system did and found: runs, verifications, drills, fingerprints, alerts."""

from __future__ import annotations

from django.db import models


class Result(models.TextChoices):
    RUNNING = "running", "running"
    SUCCEEDED = "succeeded", "succeeded"
    FAILED = "failed", "failed"


class BackupRun(models.Model):
    """One backup to one repository (pgBackRest writes one repository per run)."""

    class Kind(models.TextChoices):
        FULL = "full", "full"
        DIFF = "diff", "differential"
        INCR = "incr", "incremental"

    engine = models.CharField(max_length=32)
    repository = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    label = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    result = models.CharField(max_length=16, choices=Result.choices, default=Result.RUNNING)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["engine", "repository", "kind", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.kind} backup to repo{self.repository} at {self.started_at:%Y-%m-%d %H:%M}"


class VerifyRun(models.Model):
    """One verification of one repository; ``problems`` lists what was found wrong."""

    engine = models.CharField(max_length=32)
    repository = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=16, choices=Result.choices, default=Result.RUNNING)
    checked = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"verify repo{self.repository} at {self.started_at:%Y-%m-%d %H:%M}: {self.result}"


class DataFingerprint(models.Model):
    """Row counts and checksums of key tables as they were at ``taken_at``.

    A restore drill restores to ``taken_at`` and must find exactly these values.
    """

    engine = models.CharField(max_length=32)
    taken_at = models.DateTimeField(db_index=True)
    # None: taken on the live database, reachable from any repository by point-in-time
    # recovery; a number: what one backup in that repository holds.
    repository = models.PositiveSmallIntegerField(null=True, blank=True)
    label = models.CharField(max_length=64, blank=True)
    lsn = models.CharField(max_length=32, blank=True)
    tables = models.JSONField(default=dict)

    class Meta:
        ordering = ["-taken_at"]

    def __str__(self) -> str:
        return f"fingerprint at {self.taken_at:%Y-%m-%d %H:%M:%S}"


class RestoreDrill(models.Model):
    """A real restore into a scratch place, checked and torn down."""

    class Mode(models.TextChoices):
        LATEST = "latest", "latest"
        RANDOM = "random", "random point of the last 24 hours"

    engine = models.CharField(max_length=32)
    repository = models.PositiveSmallIntegerField()
    mode = models.CharField(max_length=8, choices=Mode.choices)
    target_time = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=16, choices=Result.choices, default=Result.RUNNING)
    rpo_seconds = models.FloatField(null=True, blank=True)
    rto_seconds = models.FloatField(null=True, blank=True)
    checks = models.JSONField(default=dict)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.mode} drill from repo{self.repository}: {self.result}"


class BackupAlert(models.Model):
    """An alert-worthy condition, kept until the detection area delivers alerts.

    One open alert per (kind, subject): seeing the condition again only moves
    ``last_seen_at``; it is resolved when the condition clears.
    """

    class Kind(models.TextChoices):
        BACKUP_FAILED = "backup_failed", "backup failed"
        VERIFY_FAILED = "verify_failed", "verification failed"
        DRILL_FAILED = "drill_failed", "restore drill failed"
        WAL_LAG = "wal_lag", "WAL archive lag"
        MISSED_SCHEDULE = "missed_schedule", "missed schedule"
        REPOSITORY_UNREACHABLE = "repository_unreachable", "repository unreachable"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    subject = models.CharField(max_length=64, blank=True)
    message = models.TextField()
    details = models.JSONField(default=dict)
    raised_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject"],
                condition=models.Q(resolved_at__isnull=True),
                name="backup_alert_one_open_per_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}: {self.message}"
