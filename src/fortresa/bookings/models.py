from __future__ import annotations

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
