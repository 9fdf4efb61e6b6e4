"""Everything a grid needs about a club over a period, loaded in a fixed number of queries.

Grids touch thousands of (court, slot) pairs, so the schedule holds plain tuples rather
than model instances, and answers "is this slot closed or booked?" with a binary search
over each court's intervals instead of a scan.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib.postgres.fields import DateTimeRangeField
from django.db import connections
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import BigIntegerField, Func, QuerySet, Value
from django.db.models.functions import Cast, Extract

from fortresa.bookings.models import Booking
from fortresa.bookings.slots import Slot, day_slots
from fortresa.clubs.models import Closure, Club, Court, OpeningHours
from fortresa.clubs.selectors import courts_of

Periods = tuple[tuple[dt.time, dt.time], ...]


class BookedSpan(NamedTuple):
    """An active booking as a grid sees it; names and partners only when asked for."""

    pk: int
    court_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    booked_by_id: int
    booker_name: str = ""
    partner_ids: frozenset[int] = frozenset()


class Intervals:
    """Half-open UTC intervals of one court, searched by bisection."""

    def __init__(self, items: Iterable[tuple[dt.datetime, dt.datetime, object]]) -> None:
        ordered = sorted(items, key=lambda item: item[0])
        self.starts = [start for start, _end, _value in ordered]
        self.values = [value for _start, _end, value in ordered]
        self.ends = [end for _start, end, _value in ordered]
        # reach[i]: the latest end among the first i + 1 intervals, so overlapping
        # intervals (closures may overlap) are found as well as disjoint ones.
        self.reach: list[dt.datetime] = []
        for end in self.ends:
            self.reach.append(max(end, self.reach[-1]) if self.reach else end)

    def first_overlap(self, start: dt.datetime, end: dt.datetime) -> object | None:
        """The value of the earliest-starting interval overlapping [start, end), if any."""
        index = bisect_left(self.starts, end) - 1  # the last interval starting before ``end``
        found = None
        # Walk back only while an earlier interval can still reach past ``start``.
        while index >= 0 and self.reach[index] > start:
            if self.ends[index] > start:
                found = self.values[index]
            index -= 1
        return found

    def covered(self, starts: Sequence[dt.datetime], ends: Sequence[dt.datetime]) -> set[int]:
        """Indices of the slots (equal lengths, in time order, given by their starts and
        ends) that at least one interval overlaps; work in proportion to the intervals
        near those slots, not to the number of slots."""
        if not starts:
            return set()
        first, last = starts[0], ends[-1]
        hits: set[int] = set()
        index = bisect_left(self.starts, last) - 1
        while index >= 0 and self.reach[index] > first:
            start, end = self.starts[index], self.ends[index]
            if end > first:
                # Slot i overlaps [start, end) when it ends after start and starts before end.
                hits.update(range(bisect_right(ends, start), bisect_left(starts, end)))
            index -= 1
        return hits


@dataclass
class ClubSchedule:
    """A club's active courts, their opening hours, closures and active bookings.

    Loading costs four queries whatever the number of courts or bookings (courts,
    opening hours, closures, bookings), and one more for the bookings' partners when
    the grid shows whose bookings they are.
    """

    club: Club
    courts: list[Court]
    hours: dict[int, dict[int, Periods]]
    closures: dict[int | None, list[tuple[dt.datetime, dt.datetime]]]
    bookings: dict[int, list[BookedSpan]] = field(default_factory=dict)
    _closed: dict[int, Intervals] = field(default_factory=dict, repr=False)
    _booked: dict[int, Intervals] = field(default_factory=dict, repr=False)
    _slots: dict[tuple[dt.date, Periods, int], list[Slot]] = field(default_factory=dict, repr=False)

    def periods(self, court: Court, day: dt.date) -> Periods:
        return self.hours.get(court.pk, {}).get(day.weekday(), ())

    def slots(self, court: Court, day: dt.date, slot_minutes: int) -> list[Slot]:
        """The court's slots on ``day``; courts with the same hours share one list."""
        key = (day, self.periods(court, day), slot_minutes)
        found = self._slots.get(key)
        if found is None:
            found = self._slots[key] = day_slots(day, key[1], self.club.tzinfo, slot_minutes)
        return found

    def closed(self, court: Court) -> Intervals:
        """Closures that apply to ``court``: its own and the club-wide ones."""
        found = self._closed.get(court.pk)
        if found is None:
            spans = [*self.closures.get(None, []), *self.closures.get(court.pk, [])]
            found = self._closed[court.pk] = Intervals((s, e, True) for s, e in spans)
        return found

    def booked(self, court: Court) -> Intervals:
        found = self._booked.get(court.pk)
        if found is None:
            found = self._booked[court.pk] = Intervals(
                (span.starts_at, span.ends_at, span) for span in self.bookings.get(court.pk, [])
            )
        return found

    def closure_for(self, court: Court, start: dt.datetime, end: dt.datetime) -> bool:
        return self.closed(court).first_overlap(start, end) is not None

    def booking_for(self, court: Court, start: dt.datetime, end: dt.datetime) -> BookedSpan | None:
        found = self.booked(court).first_overlap(start, end)
        return found if isinstance(found, BookedSpan) else None


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class _Span(Func):
    """A booking's span as PostgreSQL's no-overlap constraint indexes it."""

    function = "tstzrange"
    output_field = DateTimeRangeField()


def overlapping(
    bookings: QuerySet[Booking], start: dt.datetime, end: dt.datetime
) -> QuerySet[Booking]:
    """Those of ``bookings`` whose span overlaps ``[start, end)``.

    On PostgreSQL they are found by overlap of their span, as the no-overlap
    constraint's GiST index holds active bookings (filter ``bookings`` by the active
    status for it to serve): the same rows as ``starts_at < end AND ends_at > start``,
    since a booking ends after it starts, whereas through a ``starts_at`` index that
    condition reads every booking that started before ``end``, the whole history.
    """
    if connections[bookings.db].vendor != "postgresql":
        return bookings.filter(starts_at__lt=end, ends_at__gt=start)
    return bookings.alias(span=_Span("starts_at", "ends_at", Value("[)"))).filter(
        span__overlap=DateTimeTZRange(start, end, "[)")
    )


def _active_bookings(club: Club, start: dt.datetime, end: dt.datetime) -> QuerySet[Booking]:
    return overlapping(Booking.objects.filter(club=club, status=Booking.Status.ACTIVE), start, end)


def _instant_columns(bookings: QuerySet[Booking]) -> tuple[QuerySet[Booking], str, str]:
    """The bookings with their start and end readable fast, and the two column names.

    On PostgreSQL they are read as microseconds since the epoch: Django's psycopg
    timestamptz loader parses text in Python (about 5 µs a value), which was most of
    the week grid's loading time. Elsewhere the datetimes are read as they are.
    """
    if connections[bookings.db].vendor != "postgresql":
        return bookings, "starts_at", "ends_at"
    annotated = bookings.annotate(
        starts_us=Cast(Extract("starts_at", "epoch") * 1_000_000, BigIntegerField()),
        ends_us=Cast(Extract("ends_at", "epoch") * 1_000_000, BigIntegerField()),
    )
    return annotated, "starts_us", "ends_us"


def _instant(value: dt.datetime | int) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return EPOCH + dt.timedelta(microseconds=value)


def _spans(
    club: Club, start: dt.datetime, end: dt.datetime, *, with_people: bool
) -> list[BookedSpan]:
    active, starts, ends = _instant_columns(_active_bookings(club, start, end))
    if not with_people:
        return [
            BookedSpan(pk, court_id, _instant(starts_at), _instant(ends_at), booked_by_id)
            for pk, court_id, starts_at, ends_at, booked_by_id in active.values_list(
                "pk", "court_id", starts, ends, "booked_by_id"
            )
        ]
    partners: dict[int, set[int]] = defaultdict(set)
    for booking_id, user_id in Booking.partners.through.objects.filter(
        booking__in=_active_bookings(club, start, end)
    ).values_list("booking_id", "user_id"):
        partners[booking_id].add(user_id)
    rows = active.values_list(
        "pk", "court_id", starts, ends, "booked_by_id", "booked_by__full_name", "booked_by__email"
    )
    return [
        BookedSpan(
            pk,
            court_id,
            _instant(starts_at),
            _instant(ends_at),
            booked_by_id,
            # as ``str(user)`` says it
            booker_name=full_name or email,
            partner_ids=frozenset(partners.get(pk, ())),
        )  # fmt: skip
        for pk, court_id, starts_at, ends_at, booked_by_id, full_name, email in rows
    ]


def load_schedule(
    club: Club, start: dt.datetime, end: dt.datetime, *, with_people: bool = True
) -> ClubSchedule:
    """The schedule of ``club`` between the UTC instants ``start`` and ``end``.

    ``with_people=False`` leaves out who booked and their partners (one query fewer),
    for grids that only count free courts.
    """
    courts = list(courts_of(club))
    hours: dict[int, dict[int, list[tuple[dt.time, dt.time]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    opening = (
        OpeningHours.objects.filter(court__club=club, court__is_active=True)
        .order_by("opens_at")
        .values_list("court_id", "weekday", "opens_at", "closes_at")
    )
    for court_id, weekday, opens_at, closes_at in opening:
        hours[court_id][weekday].append((opens_at, closes_at))
    closures: dict[int | None, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for court_id, starts_at, ends_at in Closure.objects.filter(
        club=club, starts_at__lt=end, ends_at__gt=start
    ).values_list("court_id", "starts_at", "ends_at"):
        closures[court_id].append((starts_at, ends_at))
    bookings: dict[int, list[BookedSpan]] = defaultdict(list)
    for span in _spans(club, start, end, with_people=with_people):
        bookings[span.court_id].append(span)
    return ClubSchedule(
        club=club,
        courts=courts,
        hours={
            court_id: {day: tuple(periods) for day, periods in by_day.items()}
            for court_id, by_day in hours.items()
        },
        closures=closures,
        bookings=bookings,
    )


def schedule_version(club: Club) -> str | None:
    """The version of everything a week table of ``club`` is built from, or None where
    the database keeps none (SQLite).

    It changes with every committed change to the club's courts, opening hours,
    closures, bookings, booking rules and membership-type rules, whatever wrote the rows
    (a service, the admin, a shell): triggers count the changes (bookings migration
    0005), and the count only grows. So a table cached under the version it was read
    with is never served stale: a change committed while it was built makes it newer
    than its version, never older. The server's start time is part of it, as a
    restore or a failover restarts the server and may bring an earlier count back. A
    transaction that has itself changed a schedule counts its own uncommitted changes,
    which a rollback would take back and another transaction's commit could then count
    again: until it ends, its versions also name it, so nothing it caches is ever found
    by another. One index lookup, whatever the club's size or history.
    """
    connection = connections[Booking.objects.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT extract(epoch FROM pg_postmaster_start_time())::text,"
            " fortresa_schedule_version(%s)::text,"
            " CASE WHEN current_setting('fortresa.schedule_written', true) = 'on'"
            " THEN pg_current_xact_id()::text END",
            [club.pk],
        )
        row = cursor.fetchone()
    return None if row is None else ":".join(str(part) for part in row if part is not None)
