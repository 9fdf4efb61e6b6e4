"""The retention schedule: how long each category is kept, and the daily purge.

The audit log is purged only through ``core.audit.purge_events``, which leaves a
checkpoint ``fortresa audit verify`` accepts. Alerts tied to a breach record are kept
with the register. Backups age out through the backup engine's own retention.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fortresa.accounts.models import SecurityEvent, ThrottleHit, User, UserSession
from fortresa.bookings.models import Booking
from fortresa.core.audit import purge_events
from fortresa.privacy.conf import privacy_settings
from fortresa.privacy.restore import forget_expired_seals

Purger = Callable[[dt.datetime], int]


@dataclass(frozen=True)
class RetentionRule:
    category: str
    label: Promise
    description: Promise
    days: int
    purge: Purger | None

    @property
    def enforced(self) -> bool:
        return self.days > 0 and self.purge is not None


def _inactive_accounts(cutoff: dt.datetime) -> int:
    from fortresa.privacy.erasure import erase_account

    stale = User.objects.filter(
        Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff),
        is_active=True,
        is_staff=False,
        is_superuser=False,
        erasure__isnull=True,
    )
    count = 0
    for user in stale.iterator():
        erase_account(user=user, actor=None, grace=False, reason="inactivity")
        count += 1
    return count


def _booking_history(cutoff: dt.datetime) -> int:
    old = Booking.objects.filter(ends_at__lt=cutoff)
    if apps.is_installed("fortresa.payments"):
        # Bookings that carry payments follow the payment records' schedule.
        old = old.filter(payments__isnull=True, ticket_entries__isnull=True)
    return old.delete()[1].get("bookings.Booking", 0)


def _payment_records(cutoff: dt.datetime) -> int:
    if not apps.is_installed("fortresa.payments"):
        return 0
    from fortresa.payments.models import MembershipFeePayment, Payment, TicketEntry

    old = Payment.objects.filter(created_at__lt=cutoff)
    expired_entries = Q(payment__in=old) | Q(payment__isnull=True, created_at__lt=cutoff)
    TicketEntry.objects.filter(expired_entries).delete()
    MembershipFeePayment.objects.filter(payment__in=old).delete()
    return old.delete()[1].get("payments.Payment", 0)


def _logs(cutoff: dt.datetime) -> int:
    count = SecurityEvent.objects.filter(created_at__lt=cutoff).delete()[0]
    count += UserSession.objects.filter(last_seen_at__lt=cutoff).delete()[0]
    count += ThrottleHit.objects.filter(at__lt=cutoff).delete()[0]
    count += LogEntry.objects.filter(action_time__lt=cutoff).delete()[0]
    count += Session.objects.filter(expire_date__lt=timezone.now()).delete()[0]
    optional = (
        ("hardening", "CspReport", "received_at"),
        ("detection", "Observation", "at"),
        ("notifications", "MessageLog", "created_at"),
    )
    for app_label, name, field in optional:
        if apps.is_installed(f"fortresa.{app_label}"):
            model = apps.get_model(app_label, name)
            count += model._default_manager.filter(**{f"{field}__lt": cutoff}).delete()[0]
    return count


def _audit_events(cutoff: dt.datetime) -> int:
    return purge_events(before=cutoff, reason="retention")


def _alerts(cutoff: dt.datetime) -> int:
    from fortresa.detection.models import Alert

    closed = (Alert.State.RESOLVED, Alert.State.FALSE_POSITIVE)
    old = Alert.objects.filter(last_seen__lt=cutoff, state__in=closed, breach_reference="")
    return old.delete()[1].get("detection.Alert", 0)


def retention_schedule() -> list[RetentionRule]:
    days = privacy_settings().retention_days
    rules: list[tuple[str, Promise, Promise, Purger | None]] = [
        (
            "inactive_accounts",
            _("Inactive accounts"),
            _("Accounts nobody signed in to for this long are erased (operators excepted)."),
            _inactive_accounts,
        ),
        (
            "booking_history",
            _("Booking history"),
            _("Bookings that ended this long ago are deleted, unless a payment refers to them."),
            _booking_history,
        ),
        (
            "payment_records",
            _("Payment records"),
            _("Payments, tickets and membership fees, kept as accounting law requires."),
            _payment_records,
        ),
        (
            "logs",
            _("Logs with personal data"),
            _("Sign-in and security events, sessions, admin actions, browser reports, email log."),
            _logs,
        ),
        (
            "audit_events",
            _("Audit events"),
            _("The hash-chained audit log; purged with a checkpoint the verifier accepts."),
            _audit_events,
        ),
        (
            "alerts",
            _("Security alerts"),
            _("Resolved alerts and false positives; alerts tied to a breach are kept."),
            _alerts,
        ),
        (
            "backups",
            _("Backups"),
            _("Expired by the backup engine (FORTRESA_BACKUP_RETENTION_DAYS)."),
            None,
        ),
    ]
    return [
        RetentionRule(category, label, description, days.get(category, 0), purge)
        for category, label, description, purge in rules
    ]


def purge_expired(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Apply the schedule once: delete (or erase) what has outlived its period."""
    moment = now or timezone.now()
    purged: dict[str, int] = {}
    for rule in retention_schedule():
        if rule.enforced and rule.purge is not None:
            purged[rule.category] = rule.purge(moment - dt.timedelta(days=rule.days))
    purged["erasure_seals"] = forget_expired_seals(now=moment)
    return purged
