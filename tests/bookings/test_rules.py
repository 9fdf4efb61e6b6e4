from __future__ import annotations

from decimal import Decimal

import pytest

from fortresa.bookings.models import BookingRules, MembershipTypeRules
from fortresa.bookings.rules import EffectiveRules, club_rules, rule_problems, rules_for_membership
from fortresa.clubs.models import MembershipType
from tests.factories import make_club, make_membership

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_club_without_rules_row_gets_defaults():
    club = make_club()
    BookingRules.objects.filter(club=club).delete()

    assert club_rules(club) == EffectiveRules()


def test_club_rules_come_from_its_row():
    club = make_club(rules={"days_ahead": 14, "guest_fee": Decimal("5.50")})

    rules = club_rules(club)

    assert rules.days_ahead == 14
    assert rules.guest_fee == Decimal("5.50")


def test_membership_type_overrides_only_its_non_null_fields():
    club = make_club(rules={"days_ahead": 14, "max_active_bookings": 2})
    junior = MembershipType.objects.create(club=club, name="Junior")
    MembershipTypeRules.objects.create(membership_type=junior, max_active_bookings=5)
    membership = make_membership(club, membership_type=junior)

    rules = rules_for_membership(membership)

    assert rules.max_active_bookings == 5
    assert rules.days_ahead == 14


def test_member_without_type_gets_club_rules():
    club = make_club(rules={"days_ahead": 3})
    membership = make_membership(club)

    assert rules_for_membership(membership).days_ahead == 3


def test_override_to_false_is_applied():
    club = make_club(rules={"guests_allowed": True})
    junior = MembershipType.objects.create(club=club, name="Junior")
    MembershipTypeRules.objects.create(membership_type=junior, guests_allowed=False)

    rules = rules_for_membership(make_membership(club, membership_type=junior))

    assert rules.guests_allowed is False


def test_durations_are_slot_multiples_between_min_and_max():
    rules = EffectiveRules(slot_minutes=30, min_duration_minutes=60, max_duration_minutes=120)

    assert rules.durations() == [60, 90, 120]


def test_rule_problems_flag_min_above_max():
    rules = EffectiveRules(min_duration_minutes=120, max_duration_minutes=60)

    assert "max_duration_minutes" in rule_problems(rules)


def test_rule_problems_flag_duration_off_the_slot_grid():
    rules = EffectiveRules(slot_minutes=45, min_duration_minutes=60, max_duration_minutes=90)

    assert set(rule_problems(rules)) == {"min_duration_minutes"}


def test_consistent_rules_have_no_problems():
    assert rule_problems(EffectiveRules()) == {}
