"""Changing a club's booking rules and its membership types' overrides."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from fortresa.accounts.models import User
from fortresa.bookings.errors import BookingRuleError
from fortresa.bookings.models import RULE_FIELDS, BookingRules, MembershipTypeRules
from fortresa.bookings.rules import EffectiveRules, rule_problems
from fortresa.clubs.models import Club, Membership, MembershipType, Role
from fortresa.core.audit import record_event


def _check_consistent(rules: EffectiveRules, where: str) -> None:
    problems = rule_problems(rules)
    if problems:
        field, message = next(iter(problems.items()))
        raise BookingRuleError(f"inconsistent_rules:{where}:{field}", message)


def update_booking_rules(
    *,
    actor: User,
    club: Club,
    club_values: dict[str, Any],
    type_values: dict[int, dict[str, Any]] | None = None,
    ip_address: str | None = None,
) -> list[str]:
    """Store the club's rules and per-membership-type overrides (None = inherit).

    ``type_values`` maps membership type ids of this club to their overrides. Returns the
    changed fields ("field" or "<type name>.field") and audits them as
    ``club.rules_changed``; raises BookingRuleError if a combination is inconsistent.
    """
    membership = Membership.objects.filter(user=actor, club=club).first()
    if membership is None or not membership.has_role(Role.ADMIN):
        raise PermissionDenied("only club admins change booking rules")
    type_values = type_values or {}
    changed: list[str] = []
    with transaction.atomic():
        row = BookingRules.objects.select_for_update().filter(club=club).first()
        row = row or BookingRules(club=club)
        for name in RULE_FIELDS:
            if name in club_values and getattr(row, name) != club_values[name]:
                setattr(row, name, club_values[name])
                changed.append(name)
        base = EffectiveRules().with_overrides({n: getattr(row, n) for n in RULE_FIELDS})
        _check_consistent(base, "club")
        row.full_clean()
        row.save()
        types = {t.pk: t for t in MembershipType.objects.filter(club=club, pk__in=type_values)}
        if len(types) != len(type_values):
            raise BookingRuleError(
                "unknown_membership_type",
                _("This membership type does not belong to the club."),
            )
        for type_id, values in type_values.items():
            changed += _update_type(types[type_id], base, values)
        if changed:
            record_event(
                action="club.rules_changed",
                actor=actor,
                club_id=club.pk,
                target=f"club:{club.pk}",
                ip_address=ip_address,
                details={"changed": changed},
            )
    return changed


def _update_type(
    membership_type: MembershipType, base: EffectiveRules, values: dict[str, Any]
) -> list[str]:
    row = MembershipTypeRules.objects.filter(membership_type=membership_type).first()
    row = row or MembershipTypeRules(membership_type=membership_type)
    changed = []
    for name in RULE_FIELDS:
        if name in values and getattr(row, name) != values[name]:
            setattr(row, name, values[name])
            changed.append(f"{membership_type.name}.{name}")
    overrides = {n: getattr(row, n) for n in RULE_FIELDS}
    _check_consistent(base.with_overrides(overrides), membership_type.name)
    if not changed:
        return changed
    if all(value is None for value in overrides.values()):
        if row.pk:
            row.delete()
    else:
        row.full_clean()
        row.save()
    return changed
