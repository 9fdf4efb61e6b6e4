"""The payment state machine: which state may follow which, and nothing else.

    created ──> pending ──> paid ──> partially_refunded ──> refunded
       │           │          └────────────────────────────────^
       └───────────┴──> failed | cancelled ──> paid (the gateway says money moved)

A failed or cancelled payment can still become paid: when the gateway confirms that
money moved (a member who paid after we gave up waiting), the truth is recorded and the
settlement decides what to do (keep the booking or refund).
"""

from __future__ import annotations

from fortresa.payments.models import Payment

State = Payment.State

TRANSITIONS: dict[str, frozenset[str]] = {
    State.CREATED: frozenset({State.PENDING, State.PAID, State.FAILED, State.CANCELLED}),
    State.PENDING: frozenset({State.PAID, State.FAILED, State.CANCELLED}),
    State.FAILED: frozenset({State.PAID}),
    State.CANCELLED: frozenset({State.PAID}),
    State.PAID: frozenset({State.PARTIALLY_REFUNDED, State.REFUNDED}),
    State.PARTIALLY_REFUNDED: frozenset({State.PARTIALLY_REFUNDED, State.REFUNDED}),
    State.REFUNDED: frozenset(),
}
OPEN_STATES = (State.CREATED, State.PENDING)
SETTLED_PAID = (State.PAID, State.PARTIALLY_REFUNDED, State.REFUNDED)


class InvalidTransition(Exception):
    """A state change the machine does not allow; the payment is left as it was."""


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise InvalidTransition(f"a {current} payment cannot become {target}")
