from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from fortresa.bookings.slots import day_slots, parse_local_start, start_param

pytestmark = pytest.mark.smoke
PARIS = ZoneInfo("Europe/Paris")
NIGHT = [(dt.time(0), dt.time(6))]


def test_spring_forward_day_skips_the_nonexistent_hour():
    slots = day_slots(dt.date(2026, 3, 29), NIGHT, PARIS, 60)

    assert [slot.label for slot in slots] == ["00:00", "01:00", "03:00", "04:00", "05:00"]


def test_fall_back_day_has_the_repeated_hour_twice_told_apart_by_fold():
    slots = day_slots(dt.date(2026, 10, 25), NIGHT, PARIS, 60)

    labels = [slot.label for slot in slots]
    assert labels == ["00:00", "01:00", "02:00 CEST", "02:00 CET", "03:00", "04:00", "05:00"]
    assert [s.local_start.fold for s in slots if s.local_start.hour == 2] == [0, 1]


def test_slots_on_dst_days_last_exactly_the_slot_length_in_utc():
    for day in (dt.date(2026, 3, 29), dt.date(2026, 10, 25)):
        slots = day_slots(day, NIGHT, PARIS, 60)

        assert {slot.ends_at - slot.starts_at for slot in slots} == {dt.timedelta(hours=1)}


def test_ordinary_day_slots_follow_opening_hours():
    slots = day_slots(dt.date(2026, 6, 1), [(dt.time(8), dt.time(11))], PARIS, 60)

    assert [slot.label for slot in slots] == ["08:00", "09:00", "10:00"]
    assert slots[0].starts_at == dt.datetime(2026, 6, 1, 6, tzinfo=dt.UTC)


def test_slot_that_would_overrun_closing_is_not_offered():
    slots = day_slots(dt.date(2026, 6, 1), [(dt.time(8), dt.time(9, 30))], PARIS, 60)

    assert [slot.label for slot in slots] == ["08:00"]


def test_start_param_round_trips_the_second_repeated_hour():
    second = day_slots(dt.date(2026, 10, 25), NIGHT, PARIS, 60)[3]

    parsed = parse_local_start(start_param(second.local_start), PARIS)

    assert parsed is not None
    assert parsed.astimezone(dt.UTC) == second.starts_at


def test_naive_start_is_read_in_the_club_time_zone():
    parsed = parse_local_start("2026-06-01T08:00", PARIS)

    assert parsed is not None
    assert parsed.astimezone(dt.UTC) == dt.datetime(2026, 6, 1, 6, tzinfo=dt.UTC)


@pytest.mark.parametrize("value", ["", "tomorrow", "2026-13-01T08:00", "9" * 200])
def test_malformed_start_is_rejected(value):
    assert parse_local_start(value, PARIS) is None
