from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fortresa.bookings.models import Booking
from fortresa.bookings.selectors import SlotState, day_grid, viewer_for, week_grid
from fortresa.clubs.models import Closure, Role
from fortresa.clubs.selectors import access_club
from tests.bookings.conftest import add_booking, court_of, local_day, local_start
from tests.factories import make_club, make_membership

pytestmark = pytest.mark.django_db
DAY_GRID_QUERIES = 5  # courts, opening hours, closures, bookings with bookers, partners
WEEK_GRID_QUERIES = 4  # courts, opening hours, closures, bookings (counts need no names)


def _viewer(club, user, now=None):
    return viewer_for(access_club(user, club.slug), now=now)


def _cell(grid, court_index, label):
    row = next(row for row in grid.rows if row.label == label)
    return row.cells[court_index]


@pytest.mark.smoke
def test_day_grid_has_a_row_per_slot_and_a_column_per_court(club, member):
    grid = day_grid(_viewer(club, member), local_day(club))

    assert [court.name for court in grid.courts] == ["Court 1", "Court 2"]
    assert [row.label for row in grid.rows][:3] == ["08:00", "09:00", "10:00"]
    assert len(grid.rows) == 14


@pytest.mark.smoke
def test_free_future_slot_links_to_the_booking_form(club, member):
    grid = day_grid(_viewer(club, member), local_day(club))

    cell = _cell(grid, 0, "10:00")
    assert cell.state == SlotState.FREE
    assert cell.book_url.startswith(f"/c/{club.slug}/book/?court={court_of(club).pk}&start=")


@pytest.mark.smoke
def test_slot_beyond_the_booking_window_is_free_but_not_bookable(club, member):
    grid = day_grid(_viewer(club, member), local_day(club, days=8))

    cell = _cell(grid, 0, "10:00")
    assert cell.state == SlotState.FREE
    assert cell.book_url == ""


@pytest.mark.smoke
def test_booking_covers_every_slot_it_spans_and_is_marked_mine(club, member):
    add_booking(club, member, local_start(club, hour=10), minutes=120)

    grid = day_grid(_viewer(club, member), local_day(club))

    ten, eleven = _cell(grid, 0, "10:00"), _cell(grid, 0, "11:00")
    assert (ten.state, ten.mine, ten.first_of_booking) == (SlotState.BOOKED, True, True)
    assert (eleven.state, eleven.first_of_booking) == (SlotState.BOOKED, False)
    assert _cell(grid, 0, "12:00").state == SlotState.FREE


@pytest.mark.smoke
def test_partner_sees_the_booking_as_theirs(club, member, partner):
    add_booking(club, member, local_start(club), partners=[partner])

    grid = day_grid(_viewer(club, partner), local_day(club))

    assert _cell(grid, 0, "10:00").mine


@pytest.mark.smoke
def test_members_do_not_see_who_booked_but_staff_do(club, member):
    add_booking(club, member, local_start(club))
    other = make_membership(club).user
    staff = make_membership(club, role=Role.STAFF).user

    assert not day_grid(_viewer(club, other), local_day(club)).sees_names
    assert day_grid(_viewer(club, staff), local_day(club)).sees_names


@pytest.mark.smoke
def test_closure_marks_slots_closed(club, member):
    start = local_start(club, hour=10)
    Closure.objects.create(
        club=club, starts_at=start, ends_at=start + dt.timedelta(hours=1), reason="Cleaning"
    )

    grid = day_grid(_viewer(club, member), local_day(club))

    assert {cell.state for cell in next(r for r in grid.rows if r.label == "10:00").cells} == {
        SlotState.CLOSED
    }


@pytest.mark.smoke
def test_slots_before_now_are_past(club, member):
    now = local_start(club, hour=12, minute=30).astimezone(dt.UTC)

    grid = day_grid(_viewer(club, member, now=now), local_day(club))

    assert _cell(grid, 0, "12:00").state == SlotState.PAST
    assert _cell(grid, 0, "13:00").state == SlotState.FREE


@pytest.mark.smoke
def test_day_grid_on_fall_back_day_shows_the_repeated_hour_twice(member):
    club = make_club(open_from=dt.time(0), open_until=dt.time(6))
    make_membership(club, member)
    before = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)

    grid = day_grid(_viewer(club, member, now=before), dt.date(2026, 10, 25))

    assert [row.label for row in grid.rows] == [
        "00:00", "01:00", "02:00 CEST", "02:00 CET", "03:00", "04:00", "05:00",
    ]  # fmt: skip
    assert len({row.anchor for row in grid.rows}) == 7


@pytest.mark.smoke
def test_day_grid_on_spring_forward_day_skips_the_missing_hour(member):
    club = make_club(open_from=dt.time(0), open_until=dt.time(6))
    make_membership(club, member)
    before = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)

    grid = day_grid(_viewer(club, member, now=before), dt.date(2026, 3, 29))

    assert [row.label for row in grid.rows] == ["00:00", "01:00", "03:00", "04:00", "05:00"]


@pytest.mark.smoke
def test_week_grid_counts_free_courts_per_slot_and_day(club, member):
    add_booking(club, member, local_start(club, hour=10))
    first = local_day(club)

    grid = week_grid(_viewer(club, member), first)

    assert grid.days[0] == first
    assert len(grid.days) == 7
    ten = next(row for row in grid.rows if row.label == "10:00")
    assert [cell.free_courts for cell in ten.cells[:2]] == [1, 2]
    assert ten.cells[0].url == f"/c/{club.slug}/day/{first.isoformat()}/#t1000-0"


@pytest.mark.smoke
def test_week_grid_across_fall_back_has_both_repeated_hours(member):
    club = make_club(open_from=dt.time(0), open_until=dt.time(6))
    make_membership(club, member)
    before = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)

    grid = week_grid(_viewer(club, member, now=before), dt.date(2026, 10, 22))

    labels = [row.label for row in grid.rows]
    assert labels[2:4] == ["02:00", "02:00 CET"]
    first, second = grid.rows[2], grid.rows[3]
    assert [cell.open_courts for cell in first.cells] == [2] * 7
    assert [cell.open_courts for cell in second.cells] == [0, 0, 0, 2, 0, 0, 0]


def _club_with_bookings(courts: int):
    club = make_club(courts=courts)
    viewer_user = make_membership(club).user
    players = [make_membership(club).user for _ in range(3)]
    for index in range(courts):
        add_booking(
            club,
            players[0],
            local_start(club, hour=10 + index % 5),
            court=court_of(club, index),
            partners=players[1:],
        )
    return club, _viewer(club, viewer_user)


@pytest.mark.parametrize("courts", [2, 20])
def test_day_grid_query_count_does_not_grow_with_courts_or_bookings(
    courts, django_assert_num_queries
):
    club, viewer = _club_with_bookings(courts)
    assert Booking.objects.filter(club=club).count() == courts

    with django_assert_num_queries(DAY_GRID_QUERIES):
        grid = day_grid(viewer, local_day(club))
        [cell.mine for row in grid.rows for cell in row.cells]  # noqa: B018 - touches partners


@pytest.mark.parametrize("courts", [2, 20])
def test_week_grid_query_count_does_not_grow_with_courts_or_bookings(
    courts, django_assert_num_queries
):
    club, viewer = _club_with_bookings(courts)

    with django_assert_num_queries(WEEK_GRID_QUERIES):
        week_grid(viewer, local_day(club))


@pytest.mark.smoke
def test_grid_now_defaults_to_the_current_time(club, member):
    before = timezone.now()

    viewer = _viewer(club, member)

    assert viewer.now >= before


@pytest.mark.smoke
def test_week_grid_counts_a_court_closure_only_on_that_court(club, member):
    start = local_start(club, hour=10)
    Closure.objects.create(
        club=club,
        court=court_of(club, 1),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        reason="Resurfacing",
    )

    grid = week_grid(_viewer(club, member), local_day(club))

    free = {row.label: row.cells[0].free_courts for row in grid.rows}
    assert (free["09:00"], free["10:00"], free["11:00"], free["12:00"]) == (2, 1, 1, 2)


@pytest.mark.smoke
def test_week_grid_counts_a_long_booking_in_every_slot_it_spans(club, member):
    add_booking(club, member, local_start(club, hour=14, minute=30), minutes=90)

    grid = week_grid(_viewer(club, member), local_day(club))

    free = {row.label: row.cells[0].free_courts for row in grid.rows}
    assert (free["13:00"], free["14:00"], free["15:00"], free["16:00"]) == (2, 1, 1, 2)


@pytest.mark.smoke
def test_week_grid_link_says_how_many_courts_are_free_and_when(club, member):
    grid = week_grid(_viewer(club, member), local_day(club))

    cell = next(row for row in grid.rows if row.label == "10:00").cells[0]
    assert cell.link_text.startswith("2 free<span")
    assert " courts on " in cell.link_text
    assert cell.link_text.endswith(" at 10:00</span>")


@pytest.mark.smoke
def test_week_grid_counts_closures_that_overlap_each_other(club, member):
    first = local_day(club)
    day_start = dt.datetime.combine(first, dt.time(0), tzinfo=club.tzinfo)
    Closure.objects.create(
        club=club,
        starts_at=day_start - dt.timedelta(days=3),
        ends_at=day_start + dt.timedelta(hours=12),
        reason="Works",
    )
    Closure.objects.create(
        club=club,
        court=court_of(club, 0),
        starts_at=day_start + dt.timedelta(hours=9),
        ends_at=day_start + dt.timedelta(hours=15),
        reason="Lesson",
    )

    grid = week_grid(_viewer(club, member), first)

    free = {row.label: row.cells[0].free_courts for row in grid.rows}
    assert (free["11:00"], free["12:00"], free["14:00"], free["15:00"]) == (0, 1, 1, 2)
    assert [row.cells[0].open_courts for row in grid.rows][:1] == [2]
