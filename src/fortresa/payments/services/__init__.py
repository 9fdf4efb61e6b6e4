"""State changes of the payments app."""

from fortresa.payments.services.checkout import (
    PaymentError,
    begin_checkout,
    create_booking_payment,
    create_membership_payment,
    create_ticket_payment,
    handle_return,
)
from fortresa.payments.services.gateways import (
    GatewayNotConfigured,
    club_provider,
    configure_gateway,
    provider_for,
)
from fortresa.payments.services.notifications import (
    NotificationResult,
    Outcome,
    handle_notification,
)
from fortresa.payments.services.reconcile import (
    reconcile_pending_payments,
    refund_lost_booking_payment,
    refund_payment,
    release_expired_bookings,
    settle_payment,
)
from fortresa.payments.services.tickets import (
    pay_booking_with_tickets,
    ticket_balance,
    tickets_needed,
)

__all__ = [
    "GatewayNotConfigured",
    "NotificationResult",
    "Outcome",
    "PaymentError",
    "begin_checkout",
    "club_provider",
    "configure_gateway",
    "create_booking_payment",
    "create_membership_payment",
    "create_ticket_payment",
    "handle_notification",
    "handle_return",
    "pay_booking_with_tickets",
    "provider_for",
    "reconcile_pending_payments",
    "refund_lost_booking_payment",
    "refund_payment",
    "release_expired_bookings",
    "settle_payment",
    "ticket_balance",
    "tickets_needed",
]
