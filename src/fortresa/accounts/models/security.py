from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SecurityEvent(models.Model):
    """One security-relevant happening, in a shape the threat-detection work reads.

    ``user`` is the account the event is about (None when the email named no account);
    ``actor`` is who caused it when that is someone else (staff unlocking, staff viewing
    a member's data). ``details`` never holds a password, code or token.
    """

    class Kind(models.TextChoices):
        LOGIN_SUCCEEDED = "login.succeeded", _("Signed in")
        LOGIN_FAILED = "login.failed", _("Failed sign-in")
        LOGIN_THROTTLED = "login.throttled", _("Sign-in attempt refused without checking")
        SECOND_FACTOR_FAILED = "login.second_factor_failed", _("Wrong two-factor code")
        ACCOUNT_LOCKED = "account.locked", _("Account locked")
        ACCOUNT_UNLOCKED = "account.unlocked", _("Account unlocked")
        PASSWORD_RESET_REQUESTED = (
            "password.reset_requested",
            _("Password reset requested"),
        )  # pragma: allowlist secret
        PASSWORD_CHANGED = "password.changed", _("Password changed")  # pragma: allowlist secret
        TWO_FACTOR_ENABLED = "two_factor.enabled", _("Two-factor authentication turned on")
        TWO_FACTOR_DISABLED = "two_factor.disabled", _("Two-factor authentication turned off")
        RECOVERY_CODES_GENERATED = "two_factor.recovery_codes", _("New recovery codes")
        RECOVERY_CODE_USED = "two_factor.recovery_code_used", _("Recovery code used")
        PASSKEY_ADDED = "passkey.added", _("Passkey added")
        PASSKEY_REMOVED = "passkey.removed", _("Passkey removed")
        SESSIONS_REVOKED = "session.revoked", _("Other sessions signed out")
        ROLE_CHANGED = "role.changed", _("Role changed")
        DATA_EXPORTED = "data.exported", _("Personal data exported")
        PERSONAL_DATA_VIEWED = "data.viewed_by_staff", _("Personal data viewed by club staff")

    kind = models.CharField(max_length=40, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="security_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="security_event_user_time")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.kind}"


class ThrottleState(models.Model):
    """Lockout state of one account key, for deployments without Redis.

    ``key`` is a keyed hash of the email address typed, so unknown addresses lock
    exactly like real ones and the table never holds an address in clear.
    """

    key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    lock_level = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key[:12]}… failures={self.failures} locked_until={self.locked_until}"


class ThrottleHit(models.Model):
    """One entry of a sliding-window counter (attempts per account, failures per address)."""

    key = models.CharField(max_length=80)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["key", "at"], name="throttle_hit_key_at"),
            models.Index(fields=["at"], name="throttle_hit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.at:%Y-%m-%d %H:%M:%S}"
