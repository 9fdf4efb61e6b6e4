from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fortresa.bookings.models import BookingRules, MembershipTypeRules
from fortresa.bookings.services import update_booking_rules
from fortresa.clubs.models import MembershipType, Role
from fortresa.core.models import AuditEvent
from tests.factories import make_membership, sign_in

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

CLUB_VALUES = {
    "club-days_ahead": "7",
    "club-max_active_bookings": "3",
    "club-slot_minutes": "60",
    "club-min_duration_minutes": "60",
    "club-max_duration_minutes": "120",
    "club-partners_required": "1",
    "club-guests_allowed": "on",
    "club-guest_fee": "0.00",
    "club-cancellation_deadline_hours": "2",
}


def admin_client(club) -> tuple[Client, object]:
    admin = make_membership(club, role=Role.ADMIN).user
    client = Client()
    sign_in(client, admin)
    return client, admin


@pytest.mark.parametrize("role", [Role.STAFF, Role.COACH, Role.MEMBER])
def test_non_admins_are_forbidden(club, role):
    client = Client()
    sign_in(client, make_membership(club, role=role).user)

    response = client.get(reverse("bookings:manage_rules", args=[club.slug]))

    assert response.status_code == 403


def test_admin_sees_club_and_type_forms(club):
    MembershipType.objects.create(club=club, name="Junior")
    client, _admin = admin_client(club)

    page = client.get(reverse("bookings:manage_rules", args=[club.slug])).content.decode()

    assert "Junior" in page
    assert "Save rules" in page


def test_admin_changes_club_rules_with_an_audit_of_the_fields(club):
    client, admin = admin_client(club)

    response = client.post(
        reverse("bookings:manage_rules", args=[club.slug]),
        {**CLUB_VALUES, "club-days_ahead": "14"},
    )

    assert response.status_code == 302
    assert BookingRules.objects.get(club=club).days_ahead == 14
    event = AuditEvent.objects.get(action="club.rules_changed")
    assert event.details == {"changed": ["days_ahead"]}
    assert event.actor_id == admin.pk


def test_min_above_max_is_refused_and_changes_nothing(club):
    client, _admin = admin_client(club)

    response = client.post(
        reverse("bookings:manage_rules", args=[club.slug]),
        {**CLUB_VALUES, "club-min_duration_minutes": "180"},
    )

    assert response.status_code == 200
    assert "must not be shorter" in response.content.decode()
    assert BookingRules.objects.get(club=club).min_duration_minutes == 60
    assert not AuditEvent.objects.filter(action="club.rules_changed").exists()


def test_duration_off_the_slot_is_refused(club):
    client, _admin = admin_client(club)

    response = client.post(
        reverse("bookings:manage_rules", args=[club.slug]),
        {**CLUB_VALUES, "club-max_duration_minutes": "90"},
    )

    assert "multiple of the slot length" in response.content.decode()


def test_type_override_is_saved_and_blank_inherits(club):
    junior = MembershipType.objects.create(club=club, name="Junior")
    client, _admin = admin_client(club)
    prefix = f"type-{junior.pk}-"

    client.post(
        reverse("bookings:manage_rules", args=[club.slug]),
        {**CLUB_VALUES, prefix + "max_active_bookings": "1", prefix + "guests_allowed": "false"},
    )

    overrides = MembershipTypeRules.objects.get(membership_type=junior)
    assert overrides.max_active_bookings == 1
    assert overrides.guests_allowed is False
    assert overrides.days_ahead is None


def test_type_override_inconsistent_with_club_rules_is_refused(club):
    junior = MembershipType.objects.create(club=club, name="Junior")
    client, _admin = admin_client(club)

    response = client.post(
        reverse("bookings:manage_rules", args=[club.slug]),
        {**CLUB_VALUES, f"type-{junior.pk}-min_duration_minutes": "180"},
    )

    assert response.status_code == 200
    assert not MembershipTypeRules.objects.filter(membership_type=junior).exists()


def test_garbage_values_are_form_errors(club):
    client, _admin = admin_client(club)

    response = client.post(
        reverse("bookings:manage_rules", args=[club.slug]),
        {**CLUB_VALUES, "club-days_ahead": "lots", "club-slot_minutes": "-5"},
    )

    assert response.status_code == 200
    assert BookingRules.objects.get(club=club).slot_minutes == 60


def test_clearing_every_override_removes_the_row(club):
    junior = MembershipType.objects.create(club=club, name="Junior")
    MembershipTypeRules.objects.create(membership_type=junior, days_ahead=3)
    _client, admin = admin_client(club)

    update_booking_rules(
        actor=admin, club=club, club_values={}, type_values={junior.pk: {"days_ahead": None}}
    )

    assert not MembershipTypeRules.objects.filter(membership_type=junior).exists()
