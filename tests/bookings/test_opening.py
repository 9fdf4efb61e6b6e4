"""Fair opening: a new booking day opens at a fixed time, its first seconds drawn by lot."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from fortresa.accounts.models import User
from fortresa.bookings.errors import BookingRuleError
from fortresa.bookings.models import Booking, DrawEntry, FairOpening, OpeningDraw
from fortresa.bookings.opening import DrawEntered, draw_due_lots, run_draw
from fortresa.bookings.services import create_booking
from fortresa.clubs.models import Club, Court
from fortresa.core.models import AuditEvent
from tests.bookings.conftest import court_of
from tests.factories import make_club, make_membership

DAYS_AHEAD = 7


def noon_timezone() -> str:
    """A fixed-offset zone where it is around noon now, so windows never cross midnight."""
    offset = 12 - timezone.now().hour
    if offset == 0:
        return "Etc/GMT"
    return f"Etc/GMT-{offset}" if offset > 0 else f"Etc/GMT+{-offset}"


def make_fair_club(*, draw_seconds: int, opened_seconds_ago: float, courts: int = 2) -> Club:
    club = make_club(
        courts=courts,
        timezone=noon_timezone(),
        rules={"days_ahead": DAYS_AHEAD, "partners_required": 0, "max_active_bookings": 5},
    )
    opens = timezone.now().astimezone(club.tzinfo) - dt.timedelta(seconds=opened_seconds_ago)
    FairOpening.objects.create(club=club, opens_at=opens.time(), draw_seconds=draw_seconds)
    return club


def new_day_start(club: Club, hour: int = 10) -> dt.datetime:
    """A slot on the day that opens today (``days_ahead`` days from now)."""
    day = timezone.now().astimezone(club.tzinfo).date() + dt.timedelta(days=DAYS_AHEAD)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=club.tzinfo)


def book(club: Club, user: User, start: dt.datetime, court: Court | None = None) -> Booking:
    return create_booking(
        actor=user,
        club=club,
        court=court or court_of(club),
        starts_at=start,
        duration_minutes=60,
    )


def enter(club: Club, user: User, start: dt.datetime, court: Court | None = None) -> DrawEntered:
    with pytest.raises(DrawEntered) as entered:
        book(club, user, start, court)
    return entered.value


def close_window(club: Club) -> None:
    """Move the club's opening two minutes back, so its draw window is over."""
    fair = FairOpening.objects.get(club=club)
    local = dt.datetime.combine(timezone.now().date(), fair.opens_at)
    fair.opens_at = (local - dt.timedelta(seconds=120)).time()
    fair.save()
    shift = dt.timedelta(seconds=120)
    for draw in OpeningDraw.objects.filter(club=club):
        draw.window_opens_at -= shift
        draw.window_closes_at -= shift
        draw.save()


@pytest.mark.smoke
def test_new_day_is_refused_before_the_opening_time(db):
    club = make_fair_club(draw_seconds=0, opened_seconds_ago=-600)
    member = make_membership(club).user

    with pytest.raises(BookingRuleError) as refused:
        book(club, member, new_day_start(club))

    assert refused.value.code == "not_open_yet"
    assert "open on" in refused.value.message
    assert not Booking.objects.filter(club=club).exists()


def test_days_already_open_are_booked_as_usual_before_the_opening_time(db):
    club = make_fair_club(draw_seconds=30, opened_seconds_ago=-600)
    member = make_membership(club).user

    booking = book(club, member, new_day_start(club) - dt.timedelta(days=1))

    assert booking.status == Booking.Status.ACTIVE


def test_without_a_draw_the_new_day_is_first_come_first_served(db):
    club = make_fair_club(draw_seconds=0, opened_seconds_ago=1)
    member = make_membership(club).user

    booking = book(club, member, new_day_start(club))

    assert Booking.objects.filter(pk=booking.pk, booked_by=member).exists()


@pytest.mark.smoke
def test_request_in_the_draw_window_is_entered_not_booked(db):
    club = make_fair_club(draw_seconds=60, opened_seconds_ago=1)
    member = make_membership(club).user

    entered = enter(club, member, new_day_start(club))

    assert entered.code == "entered_in_draw"
    assert "drawn by lot" in entered.message
    assert not Booking.objects.filter(club=club).exists()
    entry = DrawEntry.objects.get(user=member)
    assert entry.status == DrawEntry.Status.PENDING
    assert entry.draw.window_closes_at > timezone.now()


def test_request_breaking_a_rule_in_the_draw_window_is_refused_not_entered(db):
    club = make_fair_club(draw_seconds=60, opened_seconds_ago=1)
    member = make_membership(club).user

    with pytest.raises(BookingRuleError) as refused:
        create_booking(
            actor=member,
            club=club,
            court=court_of(club),
            starts_at=new_day_start(club),
            duration_minutes=45,
        )

    assert refused.value.code == "duration_not_multiple"
    assert not DrawEntry.objects.exists()


def test_second_request_of_a_member_replaces_their_entry(db):
    club = make_fair_club(draw_seconds=60, opened_seconds_ago=1)
    member = make_membership(club).user
    first = enter(club, member, new_day_start(club, hour=10))

    second = enter(club, member, new_day_start(club, hour=11))

    assert "now asks for" in second.message
    entries = list(DrawEntry.objects.filter(user=member))
    assert len(entries) == 1
    assert entries[0].starts_at == new_day_start(club, hour=11)
    assert entries[0].ticket == first.entry.ticket


@pytest.mark.smoke
def test_draw_serves_entries_in_ticket_order_not_arrival_order(db):
    club = make_fair_club(draw_seconds=60, opened_seconds_ago=1)
    early, late = make_membership(club).user, make_membership(club).user
    start = new_day_start(club)
    enter(club, early, start)
    enter(club, late, start)
    DrawEntry.objects.filter(user=early).update(ticket=2)
    DrawEntry.objects.filter(user=late).update(ticket=1)
    close_window(club)

    result = run_draw(draw_id=OpeningDraw.objects.get(club=club).pk)

    assert result is not None
    assert (result.entries, result.won) == (2, 1)
    assert Booking.objects.get(club=club).booked_by == late
    lost = DrawEntry.objects.get(user=early)
    assert lost.status == DrawEntry.Status.LOST
    assert "already taken" in lost.outcome


def test_draw_books_every_entry_whose_slot_is_free(db):
    club = make_fair_club(draw_seconds=60, opened_seconds_ago=1)
    members = [make_membership(club).user for _ in range(3)]
    for hour, member in zip((10, 11, 12), members, strict=True):
        enter(club, member, new_day_start(club, hour=hour))
    close_window(club)

    made = draw_due_lots(club=club)

    assert made == 1
    assert Booking.objects.filter(club=club).count() == 3
    assert set(DrawEntry.objects.values_list("status", flat=True)) == {DrawEntry.Status.WON}


def test_draw_is_made_once(db):
    club = make_fair_club(draw_seconds=60, opened_seconds_ago=1)
    enter(club, make_membership(club).user, new_day_start(club))
    close_window(club)
    draw = OpeningDraw.objects.get(club=club)
    run_draw(draw_id=draw.pk)

    again = run_draw(draw_id=draw.pk)

    assert again is None
    assert Booking.objects.filter(club=club).count() == 1


def test_draw_is_not_made_before_its_window_closes(db):
    club = make_fair_club(draw_seconds=60, opened_seconds_ago=1)
    enter(club, make_membership(club).user, new_day_start(club))

    result = run_draw(draw_id=OpeningDraw.objects.get(club=club).pk)

    assert result is None
    assert not Booking.objects.filter(club=club).exists()


@pytest.mark.smoke
def test_first_request_after_the_window_waits_for_the_draw_and_loses_to_entrants(db):
    club = make_fair_club(draw_seconds=60, opened_seconds_ago=1)
    entrant, latecomer = make_membership(club).user, make_membership(club).user
    start = new_day_start(club)
    enter(club, entrant, start)
    close_window(club)

    with pytest.raises(BookingRuleError) as refused:
        book(club, latecomer, start)

    assert refused.value.code == "already_taken"
    assert Booking.objects.get(club=club).booked_by == entrant
    assert OpeningDraw.objects.get(club=club).status == OpeningDraw.Status.DONE


def test_draw_refuses_an_entry_whose_member_left_the_club(db):
    club = make_fair_club(draw_seconds=60, opened_seconds_ago=1)
    membership = make_membership(club)
    enter(club, membership.user, new_day_start(club))
    membership.delete()
    close_window(club)

    draw_due_lots()

    entry = DrawEntry.objects.get(user=membership.user)
    assert entry.status == DrawEntry.Status.LOST
    assert "only members can book" in entry.outcome


def test_draw_is_recorded_in_the_audit_log(db):
    club = make_fair_club(draw_seconds=60, opened_seconds_ago=1)
    enter(club, make_membership(club).user, new_day_start(club))
    close_window(club)

    draw_due_lots()

    event = AuditEvent.objects.get(action="booking.opening_draw_made", club_id=club.pk)
    assert event.details["entries"] == 1
    assert event.details["won"] == 1


@pytest.mark.slow
def test_concurrent_entries_for_one_slot_end_with_one_booking(transactional_db):
    club = make_fair_club(draw_seconds=60, opened_seconds_ago=1, courts=1)
    members = [make_membership(club).user for _ in range(20)]
    start = new_day_start(club)
    barrier = threading.Barrier(len(members))
    outcomes: list[str] = []

    def attempt(member: User) -> None:
        barrier.wait()
        try:
            book(club, member, start)
            outcomes.append("booked")
        except BookingRuleError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(member,)) for member in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_window(club)
    draw_due_lots()

    assert outcomes == ["entered_in_draw"] * 20
    assert DrawEntry.objects.count() == 20
    assert Booking.objects.filter(club=club).count() == 1
    assert DrawEntry.objects.filter(status=DrawEntry.Status.WON).count() == 1


@pytest.mark.slow
def test_a_draw_task_run_before_the_window_closes_does_not_block_entries(transactional_db):
    club = make_fair_club(draw_seconds=60, opened_seconds_ago=1)
    first, second = (make_membership(club).user for _ in range(2))
    start = new_day_start(club)
    enter(club, first, start)
    draw = OpeningDraw.objects.get(club=club)
    early_run_holds = threading.Event()
    entry_done = threading.Event()

    def early_task() -> None:
        # The task's transaction stays open while a member enters, as it would if the
        # queue delivered it early and it were slow to commit.
        try:
            with transaction.atomic():
                assert run_draw(draw_id=draw.pk) is None
                early_run_holds.set()
                entry_done.wait(timeout=10)
        finally:
            connection.close()

    task = threading.Thread(target=early_task)
    task.start()
    try:
        assert early_run_holds.wait(timeout=10)
        entered = enter(club, second, start)
    finally:
        entry_done.set()
        task.join()

    assert entered.entry.draw_id == draw.pk
    assert OpeningDraw.objects.get(pk=draw.pk).status == OpeningDraw.Status.OPEN
