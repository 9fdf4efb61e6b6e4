from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fortresa.clubs.models import Club, Court, MembershipType

RULE_FIELDS = (
    "days_ahead",
    "max_active_bookings",
    "slot_minutes",
    "min_duration_minutes",
    "max_duration_minutes",
    "partners_required",
    "guests_allowed",
    "guest_fee",
    "cancellation_deadline_hours",
    "court_fee",
)


class BookingRules(models.Model):
    """A club's booking rules; ``MembershipTypeRules`` may override any of them."""

    club = models.OneToOneField(Club, on_delete=models.CASCADE, related_name="booking_rules")
    days_ahead = models.PositiveSmallIntegerField(
        _("days ahead one may book"), default=7, validators=[MaxValueValidator(365)]
    )
    max_active_bookings = models.PositiveSmallIntegerField(
        _("maximum active bookings per member"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"),
        default=60,
        validators=[MinValueValidator(15), MaxValueValidator(240)],
    )
    min_duration_minutes = models.PositiveSmallIntegerField(
        _("minimum duration (minutes)"),
        default=60,
        validators=[MinValueValidator(15), MaxValueValidator(480)],
    )
    max_duration_minutes = models.PositiveSmallIntegerField(
        _("maximum duration (minutes)"),
        default=120,
        validators=[MinValueValidator(15), MaxValueValidator(480)],
    )
    partners_required = models.PositiveSmallIntegerField(
        _("partners required"), default=1, validators=[MaxValueValidator(7)]
    )
    guests_allowed = models.BooleanField(_("guests allowed"), default=True)
    guest_fee = models.DecimalField(
        _("guest fee"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0)],
    )
    cancellation_deadline_hours = models.PositiveSmallIntegerField(
        _("cancellation deadline (hours before start)"),
        default=2,
        validators=[MaxValueValidator(168)],
    )
    # Charged per hour of court time, e.g. to a "visitor" membership type of non-members.
    court_fee = models.DecimalField(
        _("court fee per hour"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = _("booking rules")
        verbose_name_plural = _("booking rules")

    def __str__(self) -> str:
        return f"Rules of {self.club}"


class MembershipTypeRules(models.Model):
    """Overrides of the club rules for one membership type; empty fields inherit."""

    membership_type = models.OneToOneField(
        MembershipType, on_delete=models.CASCADE, related_name="booking_rules"
    )
    days_ahead = models.PositiveSmallIntegerField(
        _("days ahead one may book"), null=True, blank=True, validators=[MaxValueValidator(365)]
    )
    max_active_bookings = models.PositiveSmallIntegerField(
        _("maximum active bookings per member"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(15), MaxValueValidator(240)],
    )
    min_duration_minutes = models.PositiveSmallIntegerField(
        _("minimum duration (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(15), MaxValueValidator(480)],
    )
    max_duration_minutes = models.PositiveSmallIntegerField(
        _("maximum duration (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(15), MaxValueValidator(480)],
    )
    partners_required = models.PositiveSmallIntegerField(
        _("partners required"), null=True, blank=True, validators=[MaxValueValidator(7)]
    )
    guests_allowed = models.BooleanField(_("guests allowed"), null=True, blank=True)
    guest_fee = models.DecimalField(
        _("guest fee"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    cancellation_deadline_hours = models.PositiveSmallIntegerField(
        _("cancellation deadline (hours before start)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(168)],
    )
    court_fee = models.DecimalField(
        _("court fee per hour"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = _("membership type rules")
        verbose_name_plural = _("membership type rules")

    def __str__(self) -> str:
        return f"Rules of {self.membership_type}"


class Booking(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="bookings")
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="bookings")
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings"
    )
    partners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="partner_bookings"
    )
    guest_names = models.JSONField(_("guests"), default=list, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Court and guest fees owed when it was booked. While ``payment_due_by`` is set the
    # booking is held: it stays ``active`` (so the exclusion constraint keeps the slot
    # for it) until it is paid (cleared) or released unpaid after that time (cancelled).
    amount_due = models.DecimalField(
        _("amount due"), max_digits=8, decimal_places=2, default=Decimal("0.00")
    )
    payment_due_by = models.DateTimeField(_("held for payment until"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "court"]
        indexes = [
            models.Index(fields=["club", "starts_at"], name="booking_club_start"),
            models.Index(fields=["court", "starts_at"], name="booking_court_start"),
        ]
        # The no-overlap exclusion constraint lives in a PostgreSQL-only migration
        # (bookings/migrations/0002): SQLite has no exclusion constraints and the
        # booking service serialises writers there instead.
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="booking_end_after_start"
            )
        ]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")

    def __str__(self) -> str:
        return f"{self.court} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def awaiting_payment(self) -> bool:
        return self.status == self.Status.ACTIVE and self.payment_due_by is not None


# --- Fair opening (bookings.opening) ------------------------------------------------


class FairOpening(models.Model):
    """When a club's new booking day opens, and whether its first seconds are drawn by lot.

    A day becomes bookable ``days_ahead`` days before it, at ``opens_at`` (club time).
    With ``draw_seconds`` above zero, every request received in that many seconds after
    the opening takes part in a draw instead of being served first come, first served,
    so a script clicking at the exact second has no edge over a member clicking later.
    """

    club = models.OneToOneField(Club, on_delete=models.CASCADE, related_name="fair_opening")
    opens_at = models.TimeField(_("new booking days open at"), default=dt.time(0, 0))
    draw_seconds = models.PositiveSmallIntegerField(
        _("requests in the first seconds are drawn by lot (0: first come, first served)"),
        default=0,
        validators=[MaxValueValidator(3600)],
    )

    class Meta:
        verbose_name = _("fair opening")
        verbose_name_plural = _("fair openings")

    def __str__(self) -> str:
        return f"Fair opening of {self.club}"


class OpeningDraw(models.Model):
    """The draw among the requests received while one booking window was opening."""

    class Status(models.TextChoices):
        OPEN = "open", _("Taking requests")
        DONE = "done", _("Drawn")

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="opening_draws")
    window_opens_at = models.DateTimeField(_("window opens"))
    window_closes_at = models.DateTimeField(_("requests taken until"))
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.OPEN)
    drawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["club", "window_opens_at"], name="one_draw_per_window")
        ]
        indexes = [models.Index(fields=["status", "window_closes_at"], name="draw_due")]
        verbose_name = _("opening draw")
        verbose_name_plural = _("opening draws")

    def __str__(self) -> str:
        return f"Draw of {self.club} at {self.window_opens_at:%Y-%m-%d %H:%M}"


class DrawEntry(models.Model):
    """One member's request in an opening draw: what they asked for and what they got."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the draw")
        WON = "won", _("Booked")
        LOST = "lost", _("Not booked")

    draw = models.ForeignKey(OpeningDraw, on_delete=models.CASCADE, related_name="entries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="draw_entries"
    )
    court = models.ForeignKey(Court, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    partner_ids = models.JSONField(default=list, blank=True)
    guest_names = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=200, blank=True)
    # Random, drawn once when the member first enters: the order the draw serves them in.
    ticket = models.BigIntegerField()
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.PENDING)
    booking = models.ForeignKey(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["draw", "user"], name="one_entry_per_member_per_draw")
        ]
        verbose_name = _("draw entry")
        verbose_name_plural = _("draw entries")

    def __str__(self) -> str:
        return f"{self.user_id} in {self.draw_id}: {self.status}"
