"""Payments: what members owe and pay, through the gateway their club chose.

No card data is ever stored or even seen: members type card details on the gateway's
own pages; we keep amounts, references and states.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fortresa.bookings.models import Booking
from fortresa.clubs.models import Club, Membership, MembershipType


class ClubGateway(models.Model):
    """The payment gateway a club chose, with its credentials encrypted (AES-GCM)."""

    club = models.OneToOneField(Club, on_delete=models.CASCADE, related_name="payment_gateway")
    provider = models.CharField(_("gateway"), max_length=20)
    # Empty: the provider's own sandbox or live address; set only for the simulators.
    base_url = models.URLField(_("gateway address"), blank=True)
    live = models.BooleanField(_("live payments"), default=False)
    credentials = models.BinaryField(editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("club payment gateway")
        verbose_name_plural = _("club payment gateways")

    def __str__(self) -> str:
        return f"{self.club} via {self.provider}"


class MembershipFee(models.Model):
    """What a membership of one type costs for one period (a season, a year)."""

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="membership_fees")
    membership_type = models.OneToOneField(
        MembershipType, on_delete=models.CASCADE, related_name="fee"
    )
    amount = models.DecimalField(
        _("amount"), max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )
    period_label = models.CharField(_("period"), max_length=60, default="")

    class Meta:
        verbose_name = _("membership fee")
        verbose_name_plural = _("membership fees")

    def __str__(self) -> str:
        return f"{self.membership_type}: {self.amount}"


class TicketPack(models.Model):
    """A pack of booking tickets; one ticket pays one hour of court fee or one guest."""

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="ticket_packs")
    name = models.CharField(_("name"), max_length=80)
    tickets = models.PositiveSmallIntegerField(_("tickets"), validators=[MinValueValidator(1)])
    price = models.DecimalField(
        _("price"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        ordering = ["club", "tickets"]
        verbose_name = _("ticket pack")
        verbose_name_plural = _("ticket packs")

    def __str__(self) -> str:
        return self.name


class Payment(models.Model):
    class State(models.TextChoices):
        CREATED = "created", _("Created")
        PENDING = "pending", _("Pending")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")

    class Purpose(models.TextChoices):
        BOOKING = "booking", _("Court and guest fees")
        MEMBERSHIP = "membership", _("Membership fee")
        TICKETS = "tickets", _("Ticket pack")

    club = models.ForeignKey(Club, on_delete=models.PROTECT, related_name="payments")
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments"
    )
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    booking = models.ForeignKey(
        Booking, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    ticket_pack = models.ForeignKey(
        TicketPack, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="payments"
    )
    # Our reference, sent to the gateway (order reference, PBX_CMD, client_reference_id).
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.CharField(max_length=20)
    # The gateway's identifier (PayPal order, Paybox transaction, Stripe session).
    external_reference = models.CharField(max_length=100, blank=True)
    # Capture / payment intent identifier, needed for refunds.
    capture_reference = models.CharField(max_length=100, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    refunded_amount = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    state = models.CharField(max_length=20, choices=State.choices, default=State.CREATED)
    failure_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "external_reference"],
                condition=~Q(external_reference=""),
                name="payment_external_reference_unique_per_provider",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [models.Index(fields=["state", "updated_at"], name="payment_state_updated")]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} {self.currency} {self.state}"


class GatewayNotification(models.Model):
    """Each gateway notification received once: a replay finds its row and stops."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=200)
    payment = models.ForeignKey(
        Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    outcome = models.CharField(max_length=40)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="gateway_notification_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"


class TicketEntry(models.Model):
    """One movement on a member's ticket balance (bought +n, spent -n, refunded)."""

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="ticket_entries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ticket_entries"
    )
    change = models.IntegerField()
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="ticket_entry"
    )
    booking = models.ForeignKey(
        Booking, on_delete=models.PROTECT, null=True, blank=True, related_name="ticket_entries"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ticket entry")
        verbose_name_plural = _("ticket entries")

    def __str__(self) -> str:
        return f"{self.user_id} {self.change:+d}"


class MembershipFeePayment(models.Model):
    """A paid membership fee: which membership it covered, for which period."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="fees_paid")
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="fee_record")
    period_label = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.membership_id} {self.period_label}"
