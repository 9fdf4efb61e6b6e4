"""Email kinds and the categories a recipient may refuse, declared as data.

Every email belongs to a kind; every kind to a category. A refusable category can be
turned off on the preference page or with one click; mail of a category that cannot be
refused (account security, receipts) still links to the preference page and says why it
is sent anyway. Other apps declare their own kinds with ``register_kind`` in
``AppConfig.ready``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

ALL = "all"


@dataclass(frozen=True)
class Category:
    identifier: str
    label: StrOrPromise
    description: StrOrPromise
    refusable: bool


@dataclass(frozen=True)
class EmailKind:
    """One kind of email.

    ``template`` is a prefix: ``<template>_subject.txt`` and ``<template>.txt`` are
    required, ``<template>.html`` is optional (without it the HTML part is the text
    part, escaped). ``bypasses_suppression`` is only for the message that confirms an
    address again after a bounce.
    """

    identifier: str
    label: StrOrPromise
    category: str
    template: str
    bypasses_suppression: bool = False


CATEGORIES: dict[str, Category] = {}
KINDS: dict[str, EmailKind] = {}


def register_category(category: Category) -> Category:
    CATEGORIES[category.identifier] = category
    return category


def register_kind(kind: EmailKind) -> EmailKind:
    if kind.category not in CATEGORIES:
        raise ValueError(f"unknown email category {kind.category!r}")
    KINDS[kind.identifier] = kind
    return kind


def get_kind(identifier: str) -> EmailKind:
    try:
        return KINDS[identifier]
    except KeyError:
        raise ValueError(f"unknown email kind {identifier!r}") from None


def category_of(kind: EmailKind) -> Category:
    return CATEGORIES[kind.category]


def refusable_categories() -> list[Category]:
    return [category for category in CATEGORIES.values() if category.refusable]


for _category in (
    Category(
        "bookings",
        _("Booking notices"),
        _("When someone books you as a partner or a booking of yours is cancelled."),
        refusable=True,
    ),
    Category(
        "invitations",
        _("Club invitations"),
        _("Invitations from clubs to join them on Fortresa."),
        refusable=True,
    ),
    Category(
        "club_news",
        _("Club news"),
        _("News your clubs send their members, only from the clubs you agreed to hear from."),
        refusable=True,
    ),
    Category(
        "status",
        _("Service status updates"),
        _("Incident updates you subscribed to on the status page."),
        refusable=True,
    ),
    Category(
        "account",
        _("Account security"),
        _(
            "Password resets, locked-account and security notices about your own account. "
            "They protect your account, so they are sent even when you refuse everything else."
        ),
        refusable=False,
    ),
    Category(
        "payments",
        _("Payment receipts"),
        _("Receipts for payments you made. The law requires that you receive them."),
        refusable=False,
    ),
):
    register_category(_category)

for _kind in (
    EmailKind(
        "booking_partner",
        _("Partner in a booking"),
        "bookings",
        "notifications/email/booking_partner",
    ),
    EmailKind(
        "booking_cancelled",
        _("Booking cancelled"),
        "bookings",
        "notifications/email/booking_cancelled",
    ),
    EmailKind(
        "club_invitation",
        _("Club invitation"),
        "invitations",
        "notifications/email/club_invitation",
    ),
    EmailKind("club_mailing", _("Club news"), "club_news", "notifications/email/club_mailing"),
    EmailKind(
        "preferences_link",
        _("Link to your email preferences"),
        "account",
        "notifications/email/preferences_link",
    ),
    EmailKind(
        "address_confirmation",
        _("Confirm your email address"),
        "account",
        "notifications/email/address_confirmation",
        bypasses_suppression=True,
    ),
    # Kinds of the accounts and status apps, on their existing templates; their call
    # sites switch to send_email (see docs/operations/email.md).
    EmailKind("account_locked", _("Account locked"), "account", "accounts/email/account_locked"),
    EmailKind("password_reset", _("Password reset"), "account", "accounts/email/password_reset"),
    EmailKind("security_notice", _("Security notice"), "account", "accounts/email/security_notice"),
    EmailKind(
        "status_confirmation",
        _("Confirm your status subscription"),
        "account",
        "status/email/confirm",
    ),
    EmailKind("status_update", _("Incident update"), "status", "status/email/update"),
):
    register_kind(_kind)
