"""Tenant row-level security under the application role, on the hardened cluster.

The ORM runs over aliases that connect to the scratch cluster as the owner (to create
data, which the owner's tables let it do unfiltered), the application role (filtered)
and the worker role (BYPASSRLS).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import DatabaseError, connections, transaction
from django.utils import timezone

from fortresa.accounts.models import User
from fortresa.bookings.models import Booking
from fortresa.clubs.models import Club, Court, Membership, OpeningHours
from fortresa.dbaccess.tenancy import current_tenant_context, tenant_scope
from tests.dbaccess.conftest import HardenedCluster

pytestmark = pytest.mark.slow

ALIASES = {"rls_owner": "owner", "rls_app": "app", "rls_worker": "worker"}


@dataclass(frozen=True)
class TwoClubs:
    north: Club
    south: Club
    alice: User  # member of north only
    carol: User  # member of both clubs, and bob's partner in the south
    north_bookings: int
    carol_south_booking: Booking
    bob_south_booking: Booking


def _alias_settings(hardened: HardenedCluster, key: str) -> dict[str, object]:
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "fortresa",
        "USER": hardened.access.role(key),
        "PASSWORD": hardened.passwords[key],
        "HOST": "127.0.0.1",
        "PORT": str(hardened.cluster.port),
        "OPTIONS": {"sslmode": "verify-full", "sslrootcert": str(hardened.tls.ca_pem)},
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "TIME_ZONE": None,
        "TEST": {"NAME": None, "MIRROR": None, "CHARSET": None, "COLLATION": None},
    }


def _club(slug: str) -> Club:
    club = Club.objects.using("rls_owner").create(slug=slug, name=slug, languages=["en"])
    court = Court.objects.using("rls_owner").create(club=club, name="Centre")
    OpeningHours.objects.using("rls_owner").create(
        court=court, weekday=0, opens_at=dt.time(8), closes_at=dt.time(22)
    )
    return club


def _booking(club: Club, user: User, hours_ahead: int) -> Booking:
    court = Court.objects.using("rls_owner").get(club=club)
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    start += dt.timedelta(hours=hours_ahead)
    return Booking.objects.using("rls_owner").create(
        club=club,
        court=court,
        booked_by=user,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )


@pytest.fixture(scope="module")
def two_clubs(hardened: HardenedCluster, django_db_blocker) -> Iterator[TwoClubs]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        for alias, key in ALIASES.items():
            connections.settings[alias] = _alias_settings(hardened, key)
        try:
            users = User.objects.db_manager("rls_owner")
            alice = users.create_user(email="alice@rls.test", password=None, full_name="Alice")
            bob = users.create_user(email="bob@rls.test", password=None, full_name="Bob")
            carol = users.create_user(email="carol@rls.test", password=None, full_name="Carol")
            north, south = _club("north"), _club("south")
            for club, user in ((north, alice), (north, carol), (south, bob), (south, carol)):
                Membership.objects.using("rls_owner").create(club=club, user=user)
            _booking(north, alice, 24)
            _booking(north, carol, 26)
            carol_south = _booking(south, carol, 28)
            bob_south = _booking(south, bob, 30)
            bob_south.partners.add(carol)
            yield TwoClubs(north, south, alice, carol, 2, carol_south, bob_south)
        finally:
            for alias in ALIASES:
                connections[alias].close()
                del connections.settings[alias]
                delattr(connections._connections, alias)


@pytest.fixture
def app_db(two_clubs: TwoClubs, django_db_blocker) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        yield "rls_app"


def test_unscoped_query_under_the_application_role_sees_no_club_rows(app_db: str) -> None:
    assert Booking.objects.using(app_db).count() == 0
    assert Court.objects.using(app_db).count() == 0
    assert Membership.objects.using(app_db).count() == 0


def test_scoped_query_sees_only_its_own_clubs_rows(app_db: str, two_clubs: TwoClubs) -> None:
    with tenant_scope(club_id=two_clubs.north.pk, using=app_db):
        clubs = set(Booking.objects.using(app_db).values_list("club_id", flat=True))
        count = Booking.objects.using(app_db).count()

    assert clubs == {two_clubs.north.pk}
    assert count == two_clubs.north_bookings


def test_query_that_forgets_its_club_filter_cannot_reach_another_club(
    app_db: str, two_clubs: TwoClubs
) -> None:
    with tenant_scope(club_id=two_clubs.north.pk, using=app_db):
        found = Booking.objects.using(app_db).filter(pk=two_clubs.bob_south_booking.pk).exists()
        hours = OpeningHours.objects.using(app_db).filter(court__club=two_clubs.south).count()

    assert not found
    assert hours == 0


def test_member_sees_own_and_partner_bookings_across_clubs(
    app_db: str, two_clubs: TwoClubs
) -> None:
    with tenant_scope(club_id=None, user_id=two_clubs.carol.pk, using=app_db):
        mine = Booking.objects.using(app_db).select_related("court", "club")
        seen = {(b.pk, b.court.name, b.club.slug) for b in mine}

    assert (two_clubs.bob_south_booking.pk, "Centre", "south") in seen
    assert (two_clubs.carol_south_booking.pk, "Centre", "south") in seen
    assert len(seen) == 3


def test_member_does_not_see_other_members_bookings_outside_a_club_scope(
    app_db: str, two_clubs: TwoClubs
) -> None:
    with tenant_scope(club_id=None, user_id=two_clubs.alice.pk, using=app_db):
        booked_by = set(Booking.objects.using(app_db).values_list("booked_by_id", flat=True))

    assert booked_by == {two_clubs.alice.pk}


def test_home_page_club_list_works_with_only_the_user_in_context(
    app_db: str, two_clubs: TwoClubs
) -> None:
    with tenant_scope(club_id=None, user_id=two_clubs.carol.pk, using=app_db):
        slugs = set(
            Membership.objects.using(app_db)
            .filter(user=two_clubs.carol)
            .values_list("club__slug", flat=True)
        )

    assert slugs == {"north", "south"}


def test_writing_a_row_into_another_club_is_refused(app_db: str, two_clubs: TwoClubs) -> None:
    with (
        pytest.raises(DatabaseError, match="row-level security"),
        tenant_scope(club_id=two_clubs.north.pk, using=app_db),
    ):
        Court.objects.using(app_db).create(club=two_clubs.south, name="Smuggled")


def test_updating_another_clubs_rows_changes_nothing(app_db: str, two_clubs: TwoClubs) -> None:
    with tenant_scope(club_id=two_clubs.north.pk, using=app_db):
        changed = Court.objects.using(app_db).filter(club=two_clubs.south).update(name="Taken")

    assert changed == 0


def test_tenant_context_ends_with_its_transaction(app_db: str, two_clubs: TwoClubs) -> None:
    with tenant_scope(club_id=two_clubs.north.pk, user_id=two_clubs.alice.pk, using=app_db):
        inside = current_tenant_context(app_db)

    with transaction.atomic(using=app_db):
        after = current_tenant_context(app_db)
    assert inside == (two_clubs.north.pk, two_clubs.alice.pk)
    assert after == (None, None)
    assert Booking.objects.using(app_db).count() == 0


def test_worker_role_spans_clubs_for_background_jobs(
    two_clubs: TwoClubs, django_db_blocker
) -> None:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        clubs = set(Booking.objects.using("rls_worker").values_list("club_id", flat=True))

    # Other tests on this cluster may add clubs of their own.
    assert {two_clubs.north.pk, two_clubs.south.pk} <= clubs
