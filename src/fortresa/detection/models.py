"""Alerts and the little state the rules need (observations, known principals, log cursor)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Alert(models.Model):
    """One detected threat, deduplicated: repeats within the window bump ``count``."""

    class Kind(models.TextChoices):
        SQL_INJECTION = "sql_injection", _("Potential SQL injection")
        XSS = "xss", _("Cross-site scripting attempt")
        PATH_TRAVERSAL = "path_traversal", _("Path traversal attempt")
        COMMAND_INJECTION = "command_injection", _("Command injection attempt")
        SQL_INJECTED_STATEMENT = (
            "sql_injected_statement",
            _("Statement carrying injection syntax the application never sends"),
        )
        SQL_FAULTY_STATEMENT = (
            "sql_faulty_statement",
            _("Possible vulnerability to SQL injection (faulty statement)"),
        )
        DB_UNUSUAL_LOCATION = "db_unusual_location", _("Database access from an unusual location")
        DB_UNFAMILIAR_PRINCIPAL = (
            "db_unfamiliar_principal",
            _("Database access by an unfamiliar principal or source"),
        )
        DB_HARMFUL_APPLICATION = (
            "db_harmful_application",
            _("Database access from a potentially harmful application"),
        )
        DB_BRUTE_FORCE_VALID_ROLE = (
            "db_brute_force_valid_role",
            _("Brute force on database credentials of an existing role"),
        )
        DB_BRUTE_FORCE_UNKNOWN_ROLE = (
            "db_brute_force_unknown_role",
            _("Brute force on database credentials with unknown roles"),
        )
        DB_LOGIN_AFTER_FAILURES = (
            "db_login_after_failures",
            _("Successful database login after failures"),
        )
        DB_UNUSUAL_EXPORT = "db_unusual_export", _("Unusually large read by one session")
        ACCOUNT_LOCKOUT = "account_lockout", _("Account locked out")
        CREDENTIAL_STUFFING = (
            "credential_stuffing",
            _("Credential stuffing (one source, many accounts)"),
        )
        LOGIN_AFTER_FAILURES = "login_after_failures", _("Sign-in succeeded after many failures")
        TWO_FACTOR_DISABLED = "two_factor_disabled", _("Two-factor authentication turned off")
        ROLE_GRANTED = "role_granted", _("Role granted")
        MASS_EXPORT = "mass_export", _("Mass export of personal data")
        ACCESS_DENIED_BURST = "access_denied_burst", _("Burst of access denials")
        CSP_VIOLATION = "csp_violation", _("Content Security Policy violation")
        # Raised by fortresa.payments.alerts for notifications that fail verification.
        PAYMENT_BAD_SIGNATURE = "payment_bad_signature", _("Payment notification: bad signature")
        PAYMENT_MISSING_SIGNATURE = (
            "payment_missing_signature",
            _("Payment notification: missing signature"),
        )
        PAYMENT_STALE_SIGNATURE = (
            "payment_stale_signature",
            _("Payment notification: signature too old"),
        )
        PAYMENT_MALFORMED = "payment_malformed", _("Payment notification: malformed")
        PAYMENT_NOT_CONFIGURED = (
            "payment_not_configured",
            _("Payment notification for a gateway the club has not configured"),
        )
        PAYMENT_UNKNOWN_REFERENCE = (
            "payment_unknown_reference",
            _("Payment notification: unknown reference"),
        )
        PAYMENT_AMOUNT_MISMATCH = "payment_amount_mismatch", _("Payment: amount does not match")
        PAYMENT_CURRENCY_MISMATCH = (
            "payment_currency_mismatch",
            _("Payment: currency does not match"),
        )
        PAYMENT_REFERENCE_MISMATCH = (
            "payment_reference_mismatch",
            _("Payment: reference does not match"),
        )
        PAYMENT_REPLAY = "payment_replay", _("Payment notification replayed")
        # Raised by fortresa.backups.alerts when a backup condition opens.
        BACKUP_FAILED = "backup_failed", _("Backup failed")
        BACKUP_VERIFY_FAILED = "backup_verify_failed", _("Backup verification failed")
        BACKUP_DRILL_FAILED = "backup_drill_failed", _("Restore drill failed")
        BACKUP_WAL_LAG = "backup_wal_lag", _("WAL archive lagging")
        BACKUP_MISSED_SCHEDULE = "backup_missed_schedule", _("Backup schedule missed")
        BACKUP_REPOSITORY_UNREACHABLE = (
            "backup_repository_unreachable",
            _("Backup repository unreachable"),
        )
        # Raised by fortresa.supplychain when an audit finds advisories at or above its bar.
        DEPENDENCY_VULNERABILITY = (
            "dependency_vulnerability",
            _("Installed package with a known vulnerability"),
        )

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    class State(models.TextChoices):
        NEW = "new", _("New")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")
        FALSE_POSITIVE = "false_positive", _("False positive")

    kind = models.CharField(max_length=40, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    source = models.CharField(max_length=20)
    subject = models.CharField(max_length=200, blank=True)
    dedup_key = models.CharField(max_length=64, db_index=True)
    evidence = models.JSONField(default=dict, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=1)
    state = models.CharField(max_length=20, choices=State.choices, default=State.NEW)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    state_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    breach_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-last_seen", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.severity}) ×{self.count}"


class AlertDelivery(models.Model):
    """One channel's delivery of one alert: attempts and outcome."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices)
    attempts = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.channel} {self.status} for alert {self.alert_id}"


class Observation(models.Model):
    """A recent event the burst rules count (failed logins per source, denials, ...)."""

    kind = models.CharField(max_length=40)
    source = models.CharField(max_length=100, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["kind", "source", "at"], name="detection_obs_kind_src_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.source} {self.subject}"


class KnownPrincipal(models.Model):
    """A database role seen connecting from a source, and when it was last seen."""

    role = models.CharField(max_length=100)
    source = models.CharField(max_length=100)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["role", "source"], name="detection_principal_unique")
        ]

    def __str__(self) -> str:
        return f"{self.role}@{self.source}"


class SensorCursor(models.Model):
    """Where a follower stopped: a log file offset or the last event id read."""

    name = models.CharField(max_length=200, unique=True)
    position = models.BigIntegerField(default=0)
    identity = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"{self.name}@{self.position}"
