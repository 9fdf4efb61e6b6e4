"""Fair opening: a booking day opens at a fixed time, its first seconds drawn by lot.

Clubs open a new day of bookings at a fixed hour and everyone clicks at once; first
come, first served then rewards whoever fires a script at the exact second. With a
club's ``FairOpening.draw_seconds`` set, every request for the newly opened day that
arrives in those first seconds is *entered* in an ``OpeningDraw`` instead of booked.
When the window closes the draw serves the entries in the order of a random ticket,
each through ``create_booking`` with every club rule, so clicking at 0.001 s or at
4.9 s gives the same chance.

How it hooks into ``create_booking`` (two lines there):
- ``@fair_opening`` wraps it: first it makes any draw of the club that is due (so no
  request after the window can take a slot before the draw has served its entries),
  then it turns the ``_EnterDraw`` signal raised inside into an entry written in a
  transaction of its own, and raises ``DrawEntered`` (a ``BookingRuleError``) telling
  the member when the draw is.
- ``claim_slot(...)``, called after every rule has been checked, refuses a day that is
  not open yet and signals ``_EnterDraw`` while the draw window runs.

Locks: an entry holds the draw row ``FOR SHARE`` until it commits and the draw takes it
``FOR UPDATE``, so no entry slips in while (or after) the entries are read; an entry
that finds the draw locked is told to try again in a few seconds instead of waiting,
so it never waits on the draw while holding its member's row.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import ParamSpec, cast

from django.db import connection, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from fortresa.accounts.models import User
from fortresa.bookings.errors import BookingRuleError
from fortresa.bookings.models import Booking, DrawEntry, FairOpening, OpeningDraw
from fortresa.bookings.rules import EffectiveRules
from fortresa.bookings.slots import time_label
from fortresa.celery import app
from fortresa.clubs.models import Club, Court
from fortresa.core.audit import record_event

P = ParamSpec("P")

# The draw being made in this call stack: its own bookings skip the fair-opening hook.
_drawing: ContextVar[int | None] = ContextVar("fortresa_opening_draw", default=None)


class DrawEntered(BookingRuleError):
    """The request was entered in a draw: nothing is booked yet, the draw decides."""

    def __init__(self, entry: DrawEntry, *, club: Club, replaced: bool) -> None:
        tz = club.tzinfo
        start = entry.starts_at.astimezone(tz)
        values = {
            "seconds": round(
                (entry.draw.window_closes_at - entry.draw.window_opens_at).total_seconds()
            ),
            "time": entry.draw.window_closes_at.astimezone(tz).strftime("%H:%M:%S"),
            "court": entry.court.name,
            "day": formats.date_format(start.date(), "DATE_FORMAT"),
            "start": time_label(start),
        }
        if replaced:
            message = _(
                "Fair opening: your entry in the draw at %(time)s now asks for %(court)s on "
                "%(day)s at %(start)s. If it is drawn, the booking appears in My bookings."
            )
        else:
            message = _(
                "Fair opening: requests received in the first %(seconds)d seconds are drawn "
                "by lot at %(time)s, so clicking first gives no advantage. Your request for "
                "%(court)s on %(day)s at %(start)s is entered. If it is drawn, the booking "
                "appears in My bookings; if not, choose another free slot after the draw."
            )
        super().__init__("entered_in_draw", message % values)
        self.entry = entry


class _EnterDraw(Exception):  # noqa: N818 - a signal, not an error
    """Raised inside ``create_booking``'s transaction; turned into an entry outside it."""

    def __init__(self, opens: dt.datetime, closes: dt.datetime) -> None:
        super().__init__("enter the opening draw")
        self.opens = opens
        self.closes = closes


def _draw_in_progress() -> BookingRuleError:
    return BookingRuleError(
        "draw_in_progress",
        _("Fair opening: the draw for these slots is being made; try again in a few seconds."),
    )


def window_opens_at(
    club: Club, fair: FairOpening, rules: EffectiveRules, start: dt.datetime
) -> dt.datetime:
    """When the day of ``start`` opens for a member with ``rules`` (aware, UTC)."""
    tz = club.tzinfo
    day = start.astimezone(tz).date() - dt.timedelta(days=rules.days_ahead)
    return dt.datetime.combine(day, fair.opens_at, tzinfo=tz).astimezone(dt.UTC)


def claim_slot(*, club: Club, rules: EffectiveRules, start: dt.datetime, now: dt.datetime) -> None:
    """Inside ``create_booking``, once every rule holds: may this request book right now?

    Returns when it may; raises ``BookingRuleError`` when the day is not open yet or its
    draw is being made, and ``_EnterDraw`` while the draw window takes requests.
    """
    if _drawing.get() is not None:
        return
    fair = FairOpening.objects.filter(club=club).first()
    if fair is None:
        return
    opens = window_opens_at(club, fair, rules, start)
    if now < opens:
        local = opens.astimezone(club.tzinfo)
        raise BookingRuleError(
            "not_open_yet",
            _("Fair opening: bookings for this day open on %(day)s at %(time)s.")
            % {
                "day": formats.date_format(local.date(), "DATE_FORMAT"),
                "time": local.strftime("%H:%M"),
            },
        )
    if not fair.draw_seconds:
        return
    closes = opens + dt.timedelta(seconds=fair.draw_seconds)
    if now < closes:
        raise _EnterDraw(opens, closes)
    undrawn = OpeningDraw.objects.filter(club=club, window_opens_at=opens).exclude(
        status=OpeningDraw.Status.DONE
    )
    if undrawn.exists():
        raise _draw_in_progress()


def fair_opening(create: Callable[P, Booking]) -> Callable[P, Booking]:
    """Wrap ``create_booking``: make due draws first, turn ``_EnterDraw`` into an entry."""

    @functools.wraps(create)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Booking:
        if _drawing.get() is not None:
            return create(*args, **kwargs)
        club = cast(Club, kwargs["club"])
        draw_due_lots(club=club)
        try:
            return create(*args, **kwargs)
        except _EnterDraw as signal:
            raise _enter_draw(
                club=club,
                actor=cast(User, kwargs["actor"]),
                court=cast(Court, kwargs["court"]),
                starts_at=cast(dt.datetime, kwargs["starts_at"]),
                duration_minutes=cast(int, kwargs["duration_minutes"]),
                partners=cast(Sequence[User], kwargs.get("partners", ())),
                guest_names=cast(Sequence[str], kwargs.get("guest_names", ())),
                note=cast(str, kwargs.get("note", "")),
                opens=signal.opens,
                closes=signal.closes,
            ) from None

    return wrapper


def _draw_takes_entries(draw: OpeningDraw) -> bool:
    """Share-lock the draw row unless the draw itself holds it; whether it is open."""
    if connection.vendor != "postgresql":
        # SQLite serialises writers: nothing can run between this read and the commit.
        return OpeningDraw.objects.filter(pk=draw.pk, status=OpeningDraw.Status.OPEN).exists()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT status FROM {OpeningDraw._meta.db_table} "  # noqa: S608 - our table name
            "WHERE id = %s FOR SHARE SKIP LOCKED",
            [draw.pk],
        )
        row = cursor.fetchone()
    return row is not None and row[0] == OpeningDraw.Status.OPEN


def _enter_draw(
    *,
    club: Club,
    actor: User,
    court: Court,
    starts_at: dt.datetime,
    duration_minutes: int,
    partners: Sequence[User],
    guest_names: Sequence[str],
    note: str,
    opens: dt.datetime,
    closes: dt.datetime,
) -> DrawEntered:
    with transaction.atomic():
        draw, created = OpeningDraw.objects.get_or_create(
            club=club, window_opens_at=opens, defaults={"window_closes_at": closes}
        )
        if created:
            draw_id = draw.pk
            transaction.on_commit(lambda: make_draw.apply_async((draw_id,), eta=closes))
        if not _draw_takes_entries(draw) or timezone.now() >= draw.window_closes_at:
            raise _draw_in_progress()
        request = {
            "court": court,
            "starts_at": starts_at.astimezone(dt.UTC),
            "duration_minutes": duration_minutes,
            "partner_ids": [partner.pk for partner in partners],
            "guest_names": list(guest_names),
            "note": note,
        }
        entry, entered = DrawEntry.objects.update_or_create(
            draw=draw,
            user=actor,
            defaults=request,
            create_defaults={**request, "ticket": secrets.randbits(62)},
        )
    return DrawEntered(entry, club=club, replaced=not entered)


@dataclass(frozen=True)
class DrawResult:
    entries: int
    won: int


def run_draw(*, draw_id: int) -> DrawResult | None:
    """Serve a closed draw's entries in ticket order; None if it is not due or already made.

    Each entry is booked through ``create_booking`` with every rule of its member, so an
    entry for a slot an earlier ticket took, or one breaking a rule, is not booked and
    keeps the reason in the member's language.
    """
    from fortresa.bookings.services.booking import create_booking

    with transaction.atomic():
        # Only a due, open draw is locked: a task that runs early (or twice) must not
        # hold the row that members' entries share-lock while the window takes them.
        draw = (
            OpeningDraw.objects.select_for_update(of=("self",))
            .select_related("club")
            .filter(
                pk=draw_id,
                status=OpeningDraw.Status.OPEN,
                window_closes_at__lte=timezone.now(),
            )
            .first()
        )
        if draw is None:
            return None
        entries = list(
            draw.entries.filter(status=DrawEntry.Status.PENDING)
            .select_related("user", "court")
            .order_by("ticket")
        )
        token = _drawing.set(draw.pk)
        try:
            for entry in entries:
                _serve(entry, draw.club, create_booking)
        finally:
            _drawing.reset(token)
        won = sum(entry.status == DrawEntry.Status.WON for entry in entries)
        draw.status = OpeningDraw.Status.DONE
        draw.drawn_at = timezone.now()
        draw.save(update_fields=["status", "drawn_at"])
        record_event(
            action="booking.opening_draw_made",
            actor=None,
            club_id=draw.club_id,
            target=f"opening_draw:{draw.pk}",
            details={
                "entries": len(entries),
                "won": won,
                "window": draw.window_opens_at.isoformat(),
            },
        )
    return DrawResult(entries=len(entries), won=won)


def _serve(entry: DrawEntry, club: Club, create: Callable[..., Booking]) -> None:
    partners = list(User.objects.filter(pk__in=entry.partner_ids))
    with translation.override(entry.user.preferred_language):
        try:
            booking = create(
                actor=entry.user,
                club=club,
                court=entry.court,
                starts_at=entry.starts_at,
                duration_minutes=entry.duration_minutes,
                partners=partners,
                guest_names=entry.guest_names,
                note=entry.note,
            )
        except BookingRuleError as refusal:
            entry.status = DrawEntry.Status.LOST
            entry.outcome = refusal.message[:300]
        else:
            entry.status = DrawEntry.Status.WON
            entry.booking = booking
            entry.outcome = ""
    entry.save(update_fields=["status", "booking", "outcome"])


def draw_due_lots(*, club: Club | None = None) -> int:
    """Make every draw whose window has closed (of ``club``, or of all clubs); the count made."""
    due = OpeningDraw.objects.filter(
        status=OpeningDraw.Status.OPEN, window_closes_at__lte=timezone.now()
    )
    if club is not None:
        due = due.filter(club=club)
    made = 0
    for draw_id in list(due.values_list("pk", flat=True)):
        made += run_draw(draw_id=draw_id) is not None
    return made


@app.task
def make_draw(draw_id: int) -> int | None:
    """Queued for the moment a draw window closes; returns how many entries won."""
    result = run_draw(draw_id=draw_id)
    return None if result is None else result.won


@app.task
def make_due_draws() -> int:
    """The scheduler's safety net: draws whose queued task was lost are made here."""
    return draw_due_lots()
