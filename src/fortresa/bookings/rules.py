"""Effective booking rules: the club's rules with its membership type's overrides on top."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from fortresa.bookings.models import RULE_FIELDS, BookingRules, MembershipTypeRules
from fortresa.clubs.models import Club, Membership, MembershipType


@dataclass(frozen=True)
class EffectiveRules:
    """The rules that apply to one member's booking; see ``bookings.models.BookingRules``."""

    days_ahead: int = 7
    max_active_bookings: int = 3
    slot_minutes: int = 60
    min_duration_minutes: int = 60
    max_duration_minutes: int = 120
    partners_required: int = 1
    guests_allowed: bool = True
    guest_fee: Decimal = Decimal("0.00")
    cancellation_deadline_hours: int = 2
    court_fee: Decimal = Decimal("0.00")

    def durations(self) -> list[int]:
        """The booking durations these rules allow, in minutes, shortest first."""
        return [
            minutes
            for minutes in range(
                self.slot_minutes, self.max_duration_minutes + 1, self.slot_minutes
            )
            if minutes >= self.min_duration_minutes
        ]

    def with_overrides(self, overrides: dict[str, Any]) -> EffectiveRules:
        """These rules with every non-None value of ``overrides`` (keyed by rule field) applied."""
        changes = {
            name: value
            for name, value in overrides.items()
            if name in RULE_FIELDS and value is not None
        }
        return dataclasses.replace(self, **changes)


def _values(row: BookingRules | MembershipTypeRules) -> dict[str, Any]:
    return {name: getattr(row, name) for name in RULE_FIELDS}


def club_rules(club: Club) -> EffectiveRules:
    """The club's own rules; a club without a ``BookingRules`` row gets the defaults."""
    row = BookingRules.objects.filter(club=club).first()
    return EffectiveRules().with_overrides(_values(row)) if row else EffectiveRules()


def rules_for_type(club: Club, membership_type: MembershipType | None) -> EffectiveRules:
    base = club_rules(club)
    if membership_type is None:
        return base
    overrides = MembershipTypeRules.objects.filter(membership_type=membership_type).first()
    return base.with_overrides(_values(overrides)) if overrides else base


def rules_for_membership(membership: Membership) -> EffectiveRules:
    """The rules that apply to ``membership``'s bookings in its club."""
    return rules_for_type(membership.club, membership.membership_type)


def rule_problems(rules: EffectiveRules) -> dict[str, str]:
    """Inconsistencies between rule values, keyed by the field to blame (empty if none)."""
    problems: dict[str, str] = {}
    if rules.min_duration_minutes > rules.max_duration_minutes:
        problems["max_duration_minutes"] = _(
            "The maximum duration must not be shorter than the minimum duration."
        )
    for name in ("min_duration_minutes", "max_duration_minutes"):
        if getattr(rules, name) % rules.slot_minutes:
            problems.setdefault(
                name,
                _("Durations must be a multiple of the slot length (%(minutes)d minutes).")
                % {"minutes": rules.slot_minutes},
            )
    return problems
