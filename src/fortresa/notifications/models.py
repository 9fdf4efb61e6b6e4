"""The message log (no bodies), the delivery queue, opt-outs, suppressions, mailings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageLog(models.Model):
    """One email the platform was asked to send, and what became of it. No body, ever."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        RATE_LIMITED = "rate_limited", _("Refused: rate limit")
        OPTED_OUT = "opted_out", _("Not sent: recipient opted out")
        SUPPRESSED = "suppressed", _("Not sent: address bounced or complained")
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Marked as spam")

    message_id = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40)
    recipient = models.EmailField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    club = models.ForeignKey(
        "clubs.Club", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=10)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient}: {self.status}"


class PendingMessage(models.Model):
    """The queue: a rendered message waiting for the relay. Deleted once sent or given up,
    so bodies are kept only as long as delivery needs them."""

    log = models.OneToOneField(MessageLog, on_delete=models.CASCADE, related_name="pending")
    envelope_from = models.EmailField()
    mime = models.BinaryField()
    next_attempt_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"pending {self.log_id}"


class OptOut(models.Model):
    """An address refused one category of mail (``all``: every refusable category)."""

    address = models.EmailField()
    category = models.CharField(max_length=40)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["address", "category"], name="notif_optout_unique")
        ]

    def __str__(self) -> str:
        return f"{self.address} refuses {self.category}"


class Suppression(models.Model):
    """An address that hard-bounced or complained: no mail until it is confirmed again."""

    class Reason(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", _("Hard bounce")
        COMPLAINT = "complaint", _("Spam complaint")

    address = models.EmailField(unique=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    created_at = models.DateTimeField()
    detail = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.address} suppressed ({self.reason})"


class FeedbackEvent(models.Model):
    """A bounce or complaint notification already handled (deduplicated by its id)."""

    event_id = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20)
    address = models.EmailField()
    received_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.kind} {self.address}"


class MailingConsent(models.Model):
    """A member agreed to receive news from one club."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    club = models.ForeignKey("clubs.Club", on_delete=models.CASCADE, related_name="+")
    granted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "club"], name="notif_consent_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} hears from club {self.club_id}"


class ClubMailing(models.Model):
    """News a club sent to its consenting members."""

    club = models.ForeignKey("clubs.Club", on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"), max_length=10000)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class DnsCheck(models.Model):
    """The outcome of one ``fortresa email check-dns`` for one sending domain.

    Kept so the security page can show when the SPF, DKIM and DMARC records were last
    checked and whether each passed.
    """

    domain = models.CharField(max_length=253)
    checked_at = models.DateTimeField(db_index=True)
    passed = models.BooleanField()
    # One {"record", "status"} per finding: statuses only, no record values.
    results = models.JSONField(default=list)

    class Meta:
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"{self.domain} {self.checked_at:%Y-%m-%d %H:%M} {'pass' if self.passed else 'FAIL'}"
