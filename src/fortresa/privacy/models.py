"""The breach register (Art. 33(5)), members' consents and pending erasures."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NOTIFICATION_DEADLINE = dt.timedelta(hours=72)


class Breach(models.Model):
    """One personal-data breach, documented whether or not it is notified.

    The Art. 33(3) contents are fields of their own so the notification document is
    generated from the record; ``estimate_basis`` keeps how the numbers were estimated.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open: not yet notified")
        NOTIFIED = "notified", _("Notified to the supervisory authority")
        NOT_NOTIFIABLE = "not_notifiable", _("Documented, not notifiable (unlikely risk)")
        CLOSED = "closed", _("Closed")

    reference = models.CharField(max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    alert = models.ForeignKey(
        "detection.Alert", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    club = models.ForeignKey(
        "clubs.Club", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    aware_at = models.DateTimeField(_("became aware at"))
    occurred_from = models.DateTimeField(_("breach started"), null=True, blank=True)
    occurred_until = models.DateTimeField(_("breach ended"), null=True, blank=True)
    # Art. 33(3)(a)-(d) and 33(5).
    nature = models.JSONField(_("nature of the breach"), default=list, blank=True)
    facts = models.TextField(_("what happened"), blank=True)
    subject_categories = models.CharField(
        _("categories of data subjects"), max_length=300, blank=True
    )
    data_categories = models.CharField(_("categories of personal data"), max_length=300, blank=True)
    approx_subjects = models.PositiveIntegerField(
        _("approximate number of data subjects"), default=0
    )
    approx_records = models.PositiveIntegerField(_("approximate number of records"), default=0)
    estimate_basis = models.JSONField(default=dict, blank=True)
    estimate_corrected = models.BooleanField(default=False)
    dpo_contact = models.CharField(_("data protection officer contact"), max_length=300, blank=True)
    consequences = models.TextField(_("likely consequences"), blank=True)
    measures = models.TextField(_("measures taken or proposed"), blank=True)
    high_risk = models.BooleanField(_("likely high risk to members (Art. 34)"), default=False)
    # Notification to the supervisory authority.
    authority_notified_at = models.DateTimeField(null=True, blank=True)
    authority_channel = models.CharField(max_length=100, blank=True)
    authority_reference = models.CharField(max_length=200, blank=True)
    delay_reasons = models.TextField(_("reasons for the delay"), blank=True)
    document_language = models.CharField(max_length=10, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-aware_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def deadline(self) -> dt.datetime:
        return self.aware_at + NOTIFICATION_DEADLINE

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        """Still open and past the 72 hours."""
        return self.status == self.Status.OPEN and (now or timezone.now()) > self.deadline


class BreachReminder(models.Model):
    """A reminder of the 72-hour clock sent at one mark (24, 48 or 66 hours)."""

    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="reminders")
    hours = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["breach", "hours"], name="privacy_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.breach_id} +{self.hours}h"


class MemberCommunication(models.Model):
    """The Art. 34 email to one affected member, and what became of it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Handed to the mail service")
        FAILED = "failed", _("Failed")

    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="communications")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recipient = models.EmailField()
    language = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    queued_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    # The pipeline's log of the email: whether the mail server took it, bounced it.
    message = models.ForeignKey(
        "notifications.MessageLog",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["breach", "user"], name="privacy_communication_once")
        ]

    def __str__(self) -> str:
        return f"{self.breach_id} -> user {self.user_id}: {self.status}"


class Consent(models.Model):
    """A consent given or withdrawn; the latest row per purpose is the current answer.

    Rows are kept (not overwritten) so the platform can show when consent was given.
    """

    class Purpose(models.TextChoices):
        NEWS_EMAILS = "news_emails", _("News and offers by email (non-essential emails)")
        CONTACT_SHARING = (
            "contact_sharing",
            _("Show my email and phone to other members of my clubs"),
        )

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="privacy_consents"
    )
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    granted = models.BooleanField()
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["user", "purpose", "-recorded_at"], name="privacy_consent_latest")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.purpose} {'yes' if self.granted else 'no'}"


class Erasure(models.Model):
    """An erased account: done at once, undoable until ``undo_until`` with the link
    mailed to the member. ``sealed_snapshot`` is the erased data encrypted with a key
    that only that link carries; the platform keeps the key's hash, not the key."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="erasure"
    )
    pseudonym = models.CharField(max_length=40, unique=True)
    erased_at = models.DateTimeField()
    undo_until = models.DateTimeField(null=True, blank=True)
    key_hash = models.CharField(max_length=64, blank=True)
    sealed_snapshot = models.BinaryField(null=True, blank=True)
    reason = models.CharField(max_length=30, default="member_request")

    def __str__(self) -> str:
        return self.pseudonym
