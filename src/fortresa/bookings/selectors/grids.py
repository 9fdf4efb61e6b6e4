"""The day grid (courts by slots) and the week grid (free courts per slot and day)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

from fortresa.bookings.rules import EffectiveRules, rules_for_type
from fortresa.bookings.selectors.schedule import BookedSpan, ClubSchedule, load_schedule
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

    def owns(self, booking: BookedSpan) -> bool:
        return booking.booked_by_id == self.user_id or self.user_id in booking.partner_ids


@dataclass(frozen=True)
class Cell:
    """One court at one slot. ``slot`` is None where the court is not open at that time."""

    court: Court
    slot: Slot | None
    state: SlotState
    booking: BookedSpan | None = None
    mine: bool = False
    first_of_booking: bool = False
    book_url: str = ""

    @property
    def booker_name(self) -> str:
        return self.booking.booker_name if self.booking else ""


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
    # The link's text: "3 free", and for screen readers which courts, day and time.
    link_text: str = ""


def _free_courts_text(free: int, day_label: str, time_label: str) -> SafeString:
    """The week cell's link text, built here because a ``blocktranslate`` per cell was
    a third of the page's rendering time. Same message as the template had, so existing
    translations still apply; values are escaped as the template would."""
    message = ngettext(
        '%(free)s free<span class="visually-hidden"> court on %(day)s at %(time)s</span>',
        '%(free)s free<span class="visually-hidden"> courts on %(day)s at %(time)s</span>',
        free,
    )
    values = {
        "free": free,
        "day": conditional_escape(day_label),
        "time": conditional_escape(time_label),
    }
    return mark_safe(message % values)  # noqa: S308 - a translated message; values escaped


@dataclass(frozen=True)
class WeekRow:
    label: str
    cells: list[WeekCell]


@dataclass(frozen=True)
class WeekGrid:
    days: list[dt.date]
    rows: list[WeekRow]
    court_count: int
    # When a free cell of this grid first turns "past" (None: none will): until then the
    # grid stays true as long as the schedule does, which is what lets it be cached.
    changes_at: dt.datetime | None = None


def viewer_for(access: ClubAccess, now: dt.datetime | None = None) -> Viewer:
    membership_type = access.membership.membership_type if access.membership else None
    return Viewer(
        access=access,
        rules=rules_for_type(access.club, membership_type),
        now=now or timezone.now(),
    )


def _anchor(slot: Slot) -> str:
    return f"t{slot.local_start:%H%M}-{slot.local_start.fold}"


def _book_url(book_path: str, court: Court, slot: Slot) -> str:
    query = urlencode({"court": court.pk, "start": start_param(slot.local_start)})
    return f"{book_path}?{query}"


def _state(
    schedule: ClubSchedule, viewer: Viewer, court: Court, slot: Slot
) -> tuple[SlotState, BookedSpan | None]:
    if schedule.closure_for(court, slot.starts_at, slot.ends_at):
        return SlotState.CLOSED, None
    booking = schedule.booking_for(court, slot.starts_at, slot.ends_at)
    if booking is not None:
        return SlotState.BOOKED, booking
    if slot.starts_at < viewer.now:
        return SlotState.PAST, None
    return SlotState.FREE, None


def _cell(schedule: ClubSchedule, viewer: Viewer, book_path: str, court: Court, slot: Slot) -> Cell:
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
        book_url=_book_url(book_path, court, slot) if bookable else "",
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
    book_path = reverse("bookings:book", args=[club.slug])
    starts = sorted({start for slots in by_court.values() for start in slots})
    rows = []
    for start in starts:
        cells = []
        for court in schedule.courts:
            slot = by_court[court.pk].get(start)
            if slot is None:
                cells.append(Cell(court=court, slot=None, state=SlotState.CLOSED))
            else:
                cells.append(_cell(schedule, viewer, book_path, court, slot))
        local = start.astimezone(club.tzinfo)
        example = next(cell.slot for cell in cells if cell.slot is not None)
        rows.append(
            DayRow(starts_at=start, label=time_label(local), anchor=_anchor(example), cells=cells)
        )
    return DayGrid(day=day, courts=schedule.courts, rows=rows, sees_names=viewer.sees_names)


class _SlotGroup:
    """One day's slot list and how many courts have it, and per slot how many are taken."""

    def __init__(self, day: dt.date, slots: list[Slot]) -> None:
        self.day = day
        self.slots = slots
        self.starts = [slot.starts_at for slot in slots]
        self.ends = [slot.ends_at for slot in slots]
        self.courts = 0
        self.taken = [0] * len(slots)


def week_grid(viewer: Viewer, first_day: dt.date) -> WeekGrid:
    """Seven local days from ``first_day``: for each slot time, how many courts are free."""
    club = viewer.access.club
    days = [first_day + dt.timedelta(days=offset) for offset in range(WEEK_DAYS)]
    start, _ = day_bounds(days[0], club.tzinfo)
    _, end = day_bounds(days[-1], club.tzinfo)
    schedule = load_schedule(club, start, end, with_people=False)
    now, minutes = viewer.now, viewer.rules.slot_minutes
    # Courts with the same hours on a day share one slot list: count them together, and
    # per slot how many of them a closure or booking takes, so the work follows the
    # bookings rather than courts x slots.
    groups: dict[int, _SlotGroup] = {}
    for court in schedule.courts:
        closed, booked = schedule.closed(court), schedule.booked(court)
        for day in days:
            slots = schedule.slots(court, day, minutes)
            if not slots:
                continue
            group = groups.get(id(slots))
            if group is None:
                group = groups[id(slots)] = _SlotGroup(day, slots)
            group.courts += 1
            for index in closed.covered(group.starts, group.ends) | booked.covered(
                group.starts, group.ends
            ):
                group.taken[index] += 1
    # (wall-clock time, fold) -> day -> [open courts, free courts, any slot past]
    counts: dict[tuple[dt.time, int], dict[dt.date, list[int]]] = {}
    labels: dict[tuple[dt.time, int], str] = {}
    changes_at: dt.datetime | None = None
    for group in groups.values():
        for slot, taken_courts in zip(group.slots, group.taken, strict=True):
            key = (slot.local_start.time(), slot.local_start.fold)
            if key not in labels:
                labels[key] = slot.label
            tally = counts.setdefault(key, {}).setdefault(group.day, [0, 0, 0])
            tally[0] += group.courts
            untaken = group.courts - taken_courts
            if untaken and slot.starts_at < now:
                tally[2] = 1
            elif untaken:
                tally[1] += untaken
                if changes_at is None or slot.starts_at < changes_at:
                    changes_at = slot.starts_at
    day_urls = {day: reverse("bookings:day_for", args=[club.slug, day.isoformat()]) for day in days}
    day_labels = {day: formats.date_format(day, "l j F") for day in days}
    rows = []
    for key in sorted(counts):
        anchor = f"#t{key[0]:%H%M}-{key[1]}"
        cells = []
        for day in days:
            open_courts, free_courts, past = counts[key].get(day, [0, 0, 0])
            cells.append(
                WeekCell(
                    day=day,
                    open_courts=open_courts,
                    free_courts=free_courts,
                    past=bool(past),
                    url=day_urls[day] + anchor,
                    link_text=_free_courts_text(free_courts, day_labels[day], labels[key])
                    if free_courts
                    else "",
                )
            )
        rows.append(WeekRow(label=labels[key], cells=cells))
    return WeekGrid(days=days, rows=rows, court_count=len(schedule.courts), changes_at=changes_at)
