"""The day grid (courts by slots) and the week grid (free courts per slot and day)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from fortresa.bookings.models import Booking
from fortresa.bookings.rules import EffectiveRules, rules_for_type
from fortresa.bookings.selectors.schedule import ClubSchedule, load_schedule
from fortresa.bookings.slots import Slot, day_bounds, start_param, time_label
from fortresa.clubs.models import Court, Role
from fortresa.clubs.selectors import ClubAccess

WEEK_DAYS = 7


class SlotState(StrEnum):
    FREE = "free"
    BOOKED = "booked"
    CLOSED = "closed"
    PAST = "past"


@dataclass(frozen=True)
class Viewer:
    """Who looks at a grid, and what they may see and do there."""

    access: ClubAccess
    rules: EffectiveRules
    now: dt.datetime

    @property
    def user_id(self) -> int | None:
        return self.access.membership.user_id if self.access.membership else None

    @property
    def sees_names(self) -> bool:
        return self.access.allows(Role.STAFF)

    @property
    def last_bookable_day(self) -> dt.date:
        return self.now.astimezone(self.access.club.tzinfo).date() + dt.timedelta(
            days=self.rules.days_ahead
        )

    def owns(self, booking: Booking) -> bool:
        return booking.booked_by_id == self.user_id or any(
            partner.pk == self.user_id for partner in booking.partners.all()
        )


@dataclass(frozen=True)
class Cell:
    """One court at one slot. ``slot`` is None where the court is not open at that time."""

    court: Court
    slot: Slot | None
    state: SlotState
    booking: Booking | None = None
    mine: bool = False
    first_of_booking: bool = False
    book_url: str = ""

    @property
    def booker_name(self) -> str:
        return str(self.booking.booked_by) if self.booking else ""


@dataclass(frozen=True)
class DayRow:
    starts_at: dt.datetime
    label: str
    anchor: str
    cells: list[Cell]


@dataclass(frozen=True)
class DayGrid:
    day: dt.date
    courts: list[Court]
    rows: list[DayRow]
    sees_names: bool


@dataclass(frozen=True)
class WeekCell:
    day: dt.date
    open_courts: int
    free_courts: int
    past: bool
    url: str


@dataclass(frozen=True)
class WeekRow:
    label: str
    cells: list[WeekCell]


@dataclass(frozen=True)
class WeekGrid:
    days: list[dt.date]
    rows: list[WeekRow]
    court_count: int


def viewer_for(access: ClubAccess, now: dt.datetime | None = None) -> Viewer:
    membership_type = access.membership.membership_type if access.membership else None
    return Viewer(
        access=access,
        rules=rules_for_type(access.club, membership_type),
        now=now or timezone.now(),
    )


def _anchor(slot: Slot) -> str:
    return f"t{slot.local_start:%H%M}-{slot.local_start.fold}"


def _book_url(viewer: Viewer, court: Court, slot: Slot) -> str:
    query = urlencode({"court": court.pk, "start": start_param(slot.local_start)})
    return f"{reverse('bookings:book', args=[viewer.access.club.slug])}?{query}"


def _state(
    schedule: ClubSchedule, viewer: Viewer, court: Court, slot: Slot
) -> tuple[SlotState, Booking | None]:
    if schedule.closure_for(court, slot.starts_at, slot.ends_at):
        return SlotState.CLOSED, None
    booking = schedule.booking_for(court, slot.starts_at, slot.ends_at)
    if booking is not None:
        return SlotState.BOOKED, booking
    if slot.starts_at < viewer.now:
        return SlotState.PAST, None
    return SlotState.FREE, None


def _cell(schedule: ClubSchedule, viewer: Viewer, court: Court, slot: Slot) -> Cell:
    state, booking = _state(schedule, viewer, court, slot)
    if booking is not None:
        return Cell(
            court=court,
            slot=slot,
            state=state,
            booking=booking,
            mine=viewer.owns(booking),
            first_of_booking=booking.starts_at >= slot.starts_at,
        )
    bookable = state == SlotState.FREE and slot.local_start.date() <= viewer.last_bookable_day
    return Cell(
        court=court,
        slot=slot,
        state=state,
        book_url=_book_url(viewer, court, slot) if bookable else "",
    )


def _court_slots(
    schedule: ClubSchedule, viewer: Viewer, day: dt.date
) -> dict[int, dict[dt.datetime, Slot]]:
    return {
        court.pk: {
            slot.starts_at: slot for slot in schedule.slots(court, day, viewer.rules.slot_minutes)
        }
        for court in schedule.courts
    }


def day_grid(viewer: Viewer, day: dt.date) -> DayGrid:
    """Every court's slots on local ``day``, one row per slot start, in time order."""
    club = viewer.access.club
    schedule = load_schedule(club, *day_bounds(day, club.tzinfo))
    by_court = _court_slots(schedule, viewer, day)
    starts = sorted({start for slots in by_court.values() for start in slots})
    rows = []
    for start in starts:
        cells = []
        for court in schedule.courts:
            slot = by_court[court.pk].get(start)
            if slot is None:
                cells.append(Cell(court=court, slot=None, state=SlotState.CLOSED))
            else:
                cells.append(_cell(schedule, viewer, court, slot))
        local = start.astimezone(club.tzinfo)
        example = next(cell.slot for cell in cells if cell.slot is not None)
        rows.append(
            DayRow(starts_at=start, label=time_label(local), anchor=_anchor(example), cells=cells)
        )
    return DayGrid(day=day, courts=schedule.courts, rows=rows, sees_names=viewer.sees_names)


def week_grid(viewer: Viewer, first_day: dt.date) -> WeekGrid:
    """Seven local days from ``first_day``: for each slot time, how many courts are free."""
    club = viewer.access.club
    days = [first_day + dt.timedelta(days=offset) for offset in range(WEEK_DAYS)]
    start, _ = day_bounds(days[0], club.tzinfo)
    _, end = day_bounds(days[-1], club.tzinfo)
    schedule = load_schedule(club, start, end)
    # (wall-clock time, fold) -> day -> [open courts, free courts, any slot past]
    counts: dict[tuple[dt.time, int], dict[dt.date, list[int]]] = {}
    labels: dict[tuple[dt.time, int], str] = {}
    for day in days:
        for court in schedule.courts:
            for slot in schedule.slots(court, day, viewer.rules.slot_minutes):
                key = (slot.local_start.time(), slot.local_start.fold)
                labels.setdefault(key, slot.label)
                tally = counts.setdefault(key, {}).setdefault(day, [0, 0, 0])
                tally[0] += 1
                state, _booking = _state(schedule, viewer, court, slot)
                tally[1] += state == SlotState.FREE
                tally[2] |= state == SlotState.PAST
    rows = []
    for key in sorted(counts):
        cells = []
        for day in days:
            open_courts, free_courts, past = counts[key].get(day, [0, 0, 0])
            url = reverse("bookings:day_for", args=[club.slug, day.isoformat()])
            anchor = f"#t{key[0]:%H%M}-{key[1]}"
            cells.append(
                WeekCell(
                    day=day,
                    open_courts=open_courts,
                    free_courts=free_courts,
                    past=bool(past),
                    url=url + anchor,
                )
            )
        rows.append(WeekRow(label=labels[key], cells=cells))
    return WeekGrid(days=days, rows=rows, court_count=len(schedule.courts))
