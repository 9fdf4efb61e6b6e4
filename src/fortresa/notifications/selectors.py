"""Reads for the preference page and the mailing page."""

from __future__ import annotations

from fortresa.accounts.models import User
from fortresa.clubs.models import Club, Membership
from fortresa.notifications.models import (
    DnsCheck,
    MailingConsent,
    MessageLog,
    OptOut,
    Suppression,
)


def account_for_address(address: str) -> User | None:
    return User.objects.filter(email__iexact=address, is_active=True).first()


def has_received_mail(address: str) -> bool:
    """Whether the platform ever wrote to ``address`` (or it belongs to an account)."""
    return (
        account_for_address(address) is not None
        or MessageLog.objects.filter(recipient=address).exists()
    )


def refused_categories(address: str) -> set[str]:
    return set(OptOut.objects.filter(address=address).values_list("category", flat=True))


def suppression_of(address: str) -> Suppression | None:
    return Suppression.objects.filter(address=address).first()


def member_clubs(user: User | None) -> list[Club]:
    if user is None:
        return []
    return [
        m.club
        for m in Membership.objects.filter(user=user).select_related("club").order_by("club__name")
    ]


def consented_club_ids(user: User | None) -> set[int]:
    if user is None:
        return set()
    return set(MailingConsent.objects.filter(user=user).values_list("club_id", flat=True))


def latest_dns_checks() -> list[DnsCheck]:
    """The most recent DNS check of each sending domain, by domain."""
    latest: dict[str, DnsCheck] = {}
    for check in DnsCheck.objects.order_by("domain", "-checked_at", "-id"):
        latest.setdefault(check.domain, check)
    return [latest[domain] for domain in sorted(latest)]
