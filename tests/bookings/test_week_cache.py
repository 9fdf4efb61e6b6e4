"""The week table is cached under the schedule's version: never stale, shared only
where it should be, and a cached render costs one query whatever the club's size."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from fortresa.bookings.models import Booking, BookingRules, MembershipTypeRules
from fortresa.bookings.services import cancel_booking, create_booking
from fortresa.bookings.views import grids
from fortresa.bookings.views.grids import week_table
from fortresa.clubs.models import Closure, MembershipType
from fortresa.clubs.selectors import access_club
from tests.bookings.conftest import add_booking, court_of, local_day, local_start
from tests.factories import make_club, make_membership
from tests.reversals import record_reversals

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="schedule versions need PostgreSQL"
    ),
]
VERSION_QUERIES = 1  # a cached table costs the schedule's version, nothing more
BUILD_QUERIES = 5  # booking rules, courts, opening hours, closures, bookings


def _table(club, user, now=None):
    return str(week_table(access_club(user, club.slug), local_day(club), now=now))


def _ten_o_clock_cell(html: str) -> str:
    """The first day's 10:00 cell of a rendered week table."""
    row = html.split('<th scope="row">10:00</th>', 1)[1]
    return row.split("</td>", 1)[0]


def _page(client: Client, club) -> str:
    return client.get(f"/c/{club.slug}/week/{local_day(club).isoformat()}/").content.decode()


def test_booking_made_after_a_cached_render_shows_in_the_next_page(club, member, member_client):
    assert "2 free" in _ten_o_clock_cell(_page(member_client, club))
    partner = make_membership(club).user

    create_booking(
        actor=member,
        club=club,
        court=court_of(club),
        starts_at=local_start(club, hour=10),
        duration_minutes=60,
        partners=[partner],
    )

    assert "1 free" in _ten_o_clock_cell(_page(member_client, club))


def test_cancelled_booking_frees_its_slot_in_the_next_page(club, member, member_client):
    booking = add_booking(club, member, local_start(club, hour=10))
    assert "1 free" in _ten_o_clock_cell(_page(member_client, club))

    cancel_booking(actor=member, booking=booking)

    assert "2 free" in _ten_o_clock_cell(_page(member_client, club))


def test_closure_written_outside_the_services_shows_in_the_next_render(club, member):
    assert "2 free" in _ten_o_clock_cell(_table(club, member))
    start = local_start(club, hour=10)

    # As the admin or a shell would: no service, no invalidation to call.
    Closure.objects.create(
        club=club,
        court=court_of(club, 1),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        reason="Repairs",
    )

    assert "1 free" in _ten_o_clock_cell(_table(club, member))


def test_free_slot_turns_past_even_while_the_schedule_is_unchanged(club, member):
    ten = local_start(club, hour=10)
    assert "2 free" in _ten_o_clock_cell(_table(club, member, now=ten - dt.timedelta(hours=1)))

    later = _table(club, member, now=ten + dt.timedelta(minutes=1))

    assert "slot-past" in _ten_o_clock_cell(later)


def test_member_with_another_slot_length_gets_their_own_table(club, member):
    short = MembershipType.objects.create(club=club, name="Junior")
    MembershipTypeRules.objects.create(membership_type=short, slot_minutes=30)
    junior = make_membership(club, membership_type=short).user
    assert '<th scope="row">10:30</th>' not in _table(club, member)

    junior_table = _table(club, junior)

    assert '<th scope="row">10:30</th>' in junior_table
    assert '<th scope="row">10:30</th>' not in _table(club, member)


def test_slot_length_changed_outside_the_services_shows_in_the_next_render(club, member):
    assert '<th scope="row">10:30</th>' not in _table(club, member)

    # As the admin or a shell would: no service, no invalidation to call.
    BookingRules.objects.filter(club=club).update(slot_minutes=30)

    assert '<th scope="row">10:30</th>' in _table(club, member)


def test_rules_changed_while_a_table_is_built_are_never_served_stale(club, member, monkeypatch):
    viewer_for = grids.viewer_for

    def viewer_for_after_a_change(access, now=None):
        # Another request commits a new slot length between the version and the rules.
        BookingRules.objects.filter(club=club).update(slot_minutes=30)
        return viewer_for(access, now=now)

    monkeypatch.setattr(grids, "viewer_for", viewer_for_after_a_change)
    racing = _table(club, member)
    monkeypatch.undo()

    BookingRules.objects.filter(club=club).update(slot_minutes=60)  # as the version saw

    assert '<th scope="row">10:30</th>' in racing
    assert '<th scope="row">10:30</th>' not in _table(club, member)


def test_membership_type_override_changed_outside_the_services_shows_in_the_next_render(club):
    junior = MembershipType.objects.create(club=club, name="Junior")
    overrides = MembershipTypeRules.objects.create(membership_type=junior, days_ahead=3)
    member = make_membership(club, membership_type=junior).user
    assert '<th scope="row">10:30</th>' not in _table(club, member)

    MembershipTypeRules.objects.filter(pk=overrides.pk).update(slot_minutes=30)

    assert '<th scope="row">10:30</th>' in _table(club, member)


def test_table_this_process_served_is_reused_without_the_shared_cache(club, member, monkeypatch):
    built = _table(club, member)
    shared_reads = []
    monkeypatch.setattr(grids.cache, "get", lambda key: shared_reads.append(key))

    again = _table(club, member)

    assert again == built
    assert shared_reads == []


def test_table_this_process_served_is_not_reused_once_the_schedule_changed(
    club, member, monkeypatch
):
    assert "2 free" in _ten_o_clock_cell(_table(club, member))
    monkeypatch.setattr(grids.cache, "get", lambda key: None)

    add_booking(club, member, local_start(club, hour=10))

    assert "1 free" in _ten_o_clock_cell(_table(club, member))


def test_tables_kept_in_this_process_are_bounded_oldest_dropped_first():
    recent = grids._RecentTables(size=2)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    later = now + dt.timedelta(minutes=5)

    for key in ("a", "b", "c"):
        recent.put(key, later, f"<table>{key}</table>")

    assert recent.get("a", now) is None
    assert recent.get("c", now) == "<table>c</table>"
    assert recent.get("c", later) is None  # no longer true


def test_table_is_cached_per_language(club, member):
    with translation.override("en"):
        english = _table(club, member)

    with translation.override("fr"):
        french = _table(club, member)

    assert "2 free<span" in _ten_o_clock_cell(english)
    assert "2 libres<span" in _ten_o_clock_cell(french)


@pytest.mark.parametrize("courts", [2, 20])
def test_cached_table_costs_one_query_whatever_the_courts_and_bookings(
    courts, django_assert_num_queries
):
    club = make_club(courts=courts)
    member = make_membership(club).user
    for index in range(courts):
        add_booking(
            club, member, local_start(club, hour=9 + index % 12), court=court_of(club, index)
        )
    assert Booking.objects.filter(club=club).count() == courts
    access = access_club(member, club.slug)
    with django_assert_num_queries(VERSION_QUERIES + BUILD_QUERIES):
        built = week_table(access, local_day(club))

    with django_assert_num_queries(VERSION_QUERIES):
        cached = week_table(access, local_day(club))

    assert cached == built


def _second_week_page_statements(club, member_client) -> list[str]:
    """The SQL of a member's second week page (the first builds the cached table)."""
    page = f"/c/{club.slug}/week/"
    assert member_client.get(page).status_code == 200

    with CaptureQueriesContext(connection) as queries:
        response = member_client.get(page)

    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_a_members_cached_week_page_loads_the_user_club_and_membership_once(club, member_client):
    statements = _second_week_page_statements(club, member_client)
    # The user once (before the request's transaction, not again inside its first
    # query), the club with the membership, the privileges with the session row.
    assert sum('FROM "accounts_user"' in sql for sql in statements) == 1
    assert sum('FROM "clubs_membership"' in sql for sql in statements) == 1
    assert not any('FROM "clubs_club"' in sql for sql in statements)


def test_a_members_cached_week_page_reads_no_booking_rules(club, member_client):
    statements = _second_week_page_statements(club, member_client)
    assert not any('"bookings_bookingrules"' in sql for sql in statements)
    assert not any('"bookings_membershiptyperules"' in sql for sql in statements)


def test_a_second_week_page_reverses_none_of_the_page_shells_links(
    club, member_client, monkeypatch
):
    page = f"/c/{club.slug}/week/"
    assert member_client.get(page).status_code == 200  # builds the table and the shell
    reversed_names = record_reversals(monkeypatch)

    response = member_client.get(page)

    assert response.status_code == 200
    assert "/accounts/profile/" in response.content.decode()
    shell_links = {"home", "bookings:mine", "accounts:profile", "accounts:logout", "status:page"}
    assert reversed_names
    assert not shell_links & set(reversed_names)
