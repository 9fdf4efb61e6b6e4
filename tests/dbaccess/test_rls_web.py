"""The web pages and background tasks with row-level security enforced for real.

``default`` is switched to the hardened cluster: data is made as the owner (which owns
the tables and is not filtered), then the pages run with ``default`` connecting as the
application role (NOBYPASSRLS, ``FORTRESA_DB_TENANT_RLS=on``) and a ``worker`` alias as
the worker role, exactly as production connects, with the real middleware stack.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from fortresa.accounts.models import User
from fortresa.bookings.calendar_feed import feed_path
from fortresa.bookings.models import Booking
from fortresa.bookings.slots import start_param
from fortresa.bookings.tasks import notify_booking_cancelled
from fortresa.clubs.models import Club, Court, Invitation, Membership, Role
from fortresa.clubs.selectors import hash_invitation_token
from fortresa.dbaccess.config import WORKER_ALIAS
from fortresa.dbaccess.tenancy import TenantContextMiddleware
from fortresa.payments.models import Payment
from fortresa.payments.simulators.server import RunningSimulators
from fortresa.payments.tasks import reconcile_payments
from tests.accounts.support import sign_in_verified
from tests.bookings.conftest import add_booking, court_of, local_day, local_start
from tests.dbaccess.conftest import HardenedCluster
from tests.dbaccess.test_rls import _alias_settings
from tests.factories import make_club, make_membership, make_user
from tests.payments.conftest import (
    deliver_all,
    gateway_club,
    member_at_gateway,
    simulators,  # noqa: F401,F811 - the gateway simulators, a session fixture
    start_booking_payment,
)

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Clubs:
    north: Club
    south: Club
    member: User  # of north only
    partner: User  # of north only
    manager: User  # admin of north
    south_booking: Booking


@contextmanager
def _default_connects_as(settings: dict[str, Any]) -> Iterator[None]:
    """Point ``default`` at another server or role for the block, then put it back."""
    handler_locals = getattr(connections, "_connections")  # noqa: B009
    saved_settings = connections.settings[DEFAULT_DB_ALIAS]
    saved = getattr(handler_locals, DEFAULT_DB_ALIAS, None)
    connections.settings[DEFAULT_DB_ALIAS] = settings
    if saved is not None:
        delattr(handler_locals, DEFAULT_DB_ALIAS)
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS].close()
        connections.settings[DEFAULT_DB_ALIAS] = saved_settings
        delattr(handler_locals, DEFAULT_DB_ALIAS)
        if saved is not None:
            setattr(handler_locals, DEFAULT_DB_ALIAS, saved)


@pytest.fixture(scope="module")
def enforced(hardened: HardenedCluster, django_db_blocker) -> Iterator[HardenedCluster]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        connections.settings[WORKER_ALIAS] = _alias_settings(hardened, "worker")
        try:
            yield hardened
        finally:
            connections[WORKER_ALIAS].close()
            del connections.settings[WORKER_ALIAS]
            delattr(getattr(connections, "_connections"), WORKER_ALIAS)  # noqa: B009


@pytest.fixture(scope="module")
def clubs(enforced: HardenedCluster) -> Iterator[Clubs]:
    with _default_connects_as(_alias_settings(enforced, "owner")):
        north, south = make_club(), make_club()
        member = make_membership(north).user
        partner = make_membership(north).user
        manager = make_membership(north, role=Role.ADMIN).user
        stranger = make_membership(south).user
        south_booking = add_booking(south, stranger, local_start(south, days=3))
        yield Clubs(north, south, member, partner, manager, south_booking)


@contextmanager
def _as_owner(enforced: HardenedCluster) -> Iterator[None]:
    with _default_connects_as(_alias_settings(enforced, "owner")):
        yield


@pytest.fixture
def as_app(enforced: HardenedCluster) -> Iterator[None]:
    with _default_connects_as(_alias_settings(enforced, "app")):
        yield


def _client(enforced: HardenedCluster, user: User, *, verified: bool = False) -> Client:
    client = Client()
    with _as_owner(enforced):
        if verified:
            sign_in_verified(client, user)
        else:
            client.force_login(user)
    return client


def _run_as_task(task: Any, *args: Any) -> Any:
    """Run ``task`` through Celery's task machinery (its pre/post-run signals) here.

    The result is read from the eager result, not with ``get()``: Celery refuses
    ``get()`` in a process where an earlier test ran an in-process worker.
    """
    result = task.apply(args=list(args))
    assert result.successful(), result.traceback
    return result.result


def test_member_browses_books_and_cancels_on_their_club(
    enforced: HardenedCluster, clubs: Clubs
) -> None:
    client = _client(enforced, clubs.member)
    with _as_owner(enforced):
        court = court_of(clubs.north)
        court_name = court.name
        booking = add_booking(clubs.north, clubs.member, local_start(clubs.north, days=4))

    with _default_connects_as(_alias_settings(enforced, "app")):
        day = client.get(
            reverse("bookings:day_for", args=[clubs.north.slug, local_day(clubs.north)])
        )
        week = client.get(reverse("bookings:week", args=[clubs.north.slug]))
        start = local_start(clubs.north, days=6)
        booked = client.post(
            f"{reverse('bookings:book', args=[clubs.north.slug])}?court={court.pk}"
            f"&start={start_param(start)}",
            {
                "court": court.pk,
                "start": start_param(start),
                "duration": 60,
                "partners": clubs.partner.email,
                "guest_names": "",
                "note": "",
            },
        )
        mine = client.get(reverse("bookings:mine"))
        cancelled = client.post(reverse("bookings:cancel", args=[booking.pk]))

    assert day.status_code == 200
    assert f"Book {court_name} at 10:00" in day.content.decode()
    assert week.status_code == 200
    assert booked.status_code == 302
    assert mine.status_code == 200
    assert court_name in mine.content.decode()
    assert cancelled.status_code == 302
    with _as_owner(enforced):
        booking.refresh_from_db()
        made = Booking.objects.filter(booked_by=clubs.member, starts_at=start).exists()
    assert booking.status == Booking.Status.CANCELLED
    assert made


def test_manager_uses_the_manage_pages_of_their_club(
    enforced: HardenedCluster, clubs: Clubs
) -> None:
    client = _client(enforced, clubs.manager, verified=True)
    with _as_owner(enforced):
        members_booking = add_booking(clubs.north, clubs.member, local_start(clubs.north, days=9))

    with _default_connects_as(_alias_settings(enforced, "app")):
        # Reached by booking id alone: the database names its club to a member of it.
        cancelled = client.post(reverse("bookings:cancel", args=[members_booking.pk]))
        refused = client.post(reverse("bookings:cancel", args=[clubs.south_booking.pk]))
        courts = client.get(reverse("clubs:manage_courts", args=[clubs.north.slug]))
        members = client.get(reverse("clubs:manage_members", args=[clubs.north.slug]))
        other = client.get(reverse("clubs:manage_courts", args=[clubs.south.slug]))

    assert courts.status_code == 200
    assert court_of_name(enforced, clubs.north) in courts.content.decode()
    assert members.status_code == 200
    assert clubs.member.full_name in members.content.decode()
    assert other.status_code in (403, 404)
    assert cancelled.status_code == 302
    assert refused.status_code == 404
    with _as_owner(enforced):
        members_booking.refresh_from_db()
        clubs.south_booking.refresh_from_db()
    assert members_booking.status == Booking.Status.CANCELLED
    assert clubs.south_booking.status == Booking.Status.ACTIVE


def court_of_name(enforced: HardenedCluster, club: Club) -> str:
    with _as_owner(enforced):
        return court_of(club).name


def test_an_unscoped_query_inside_a_request_sees_nothing_of_another_club(
    clubs: Clubs, as_app: None
) -> None:
    seen: dict[str, object] = {}

    def forgetful_view(request: HttpRequest) -> HttpResponse:
        # No club filter at all: only row-level security stands between it and south.
        seen["clubs"] = set(Booking.objects.values_list("club_id", flat=True))
        seen["south_booking"] = Booking.objects.filter(pk=clubs.south_booking.pk).exists()
        seen["south_courts"] = Court.objects.filter(club=clubs.south).count()
        seen["north_courts"] = Court.objects.filter(club=clubs.north).count()
        return HttpResponse("ok")

    request = RequestFactory().get(f"/c/{clubs.north.slug}/")
    request.user = clubs.member
    middleware = TenantContextMiddleware(
        lambda req: (
            middleware.process_view(req, forgetful_view, (), {"slug": clubs.north.slug})
            or forgetful_view(req)
        )
    )
    middleware(request)

    assert clubs.south.pk not in seen["clubs"]  # type: ignore[operator]
    assert seen["south_booking"] is False
    assert seen["south_courts"] == 0
    assert seen["north_courts"] == 2


def test_a_background_task_runs_as_the_worker_role_across_clubs(
    enforced: HardenedCluster, clubs: Clubs
) -> None:
    with _as_owner(enforced):
        partner = make_user()
        booking = add_booking(
            clubs.south,
            clubs.south_booking.booked_by,
            local_start(clubs.south, days=5),
            partners=[partner],
        )
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_by = booking.booked_by
        booking.save()

    with _default_connects_as(_alias_settings(enforced, "app")):
        as_app_alone = notify_booking_cancelled.run(booking.pk)  # no task machinery
        as_task = _run_as_task(notify_booking_cancelled, booking.pk)

    assert as_app_alone == 0  # the app role without context cannot even find the booking
    assert as_task == 1  # through Celery it runs as the worker role and tells the partner


@pytest.mark.parametrize("provider", ["stripe", "paypal"])
def test_a_gateway_notification_without_a_user_still_settles_its_payment(
    enforced: HardenedCluster,
    simulators: RunningSimulators,  # noqa: F811 - the fixture imported above
    provider: str,
) -> None:
    simulators.store.take_outbox()  # what earlier tests left undelivered
    with _as_owner(enforced):
        club = gateway_club(simulators, provider)
        payer = make_membership(club).user
        started = start_booking_payment(club, payer)
    member_at_gateway(started.checkout)  # the member pays; the gateway queues its notice

    with _default_connects_as(_alias_settings(enforced, "app")):
        statuses = deliver_all(Client(), simulators)  # anonymous, as gateways post

    with _as_owner(enforced):
        started.payment.refresh_from_db()
    assert statuses
    assert all(status == 200 for status in statuses)
    assert started.payment.state == Payment.State.PAID


def test_an_invitation_link_finds_its_club_and_makes_the_membership(
    enforced: HardenedCluster, clubs: Clubs
) -> None:
    token = secrets.token_urlsafe(32)
    with _as_owner(enforced):
        invited = make_user()
        Invitation.objects.create(
            club=clubs.north,
            email=invited.email,
            token_hash=hash_invitation_token(token),
            expires_at=timezone.now() + dt.timedelta(days=1),
        )
    client = _client(enforced, invited)

    with _default_connects_as(_alias_settings(enforced, "app")):
        page = client.get(reverse("clubs:accept_invitation", args=[token]))
        accepted = client.post(reverse("clubs:accept_invitation", args=[token]))

    with _as_owner(enforced):
        joined = Membership.objects.filter(club=clubs.north, user=invited).exists()
    assert page.status_code == 200
    assert clubs.north.name in page.content.decode()
    assert accepted.status_code == 302
    assert joined


def test_the_calendar_feed_shows_its_members_bookings_without_a_session(
    enforced: HardenedCluster, clubs: Clubs
) -> None:
    with _as_owner(enforced):
        booking = add_booking(clubs.north, clubs.partner, local_start(clubs.north, days=7))
        clubs.partner.calendar_feed_enabled = True
        clubs.partner.save(update_fields=["calendar_feed_enabled"])
        path = feed_path(clubs.partner)
        court_name = court_of(clubs.north).name

    with _default_connects_as(_alias_settings(enforced, "app")):
        feed = Client().get(path)

    assert feed.status_code == 200
    assert f"booking-{booking.pk}@" in feed.content.decode()
    assert court_name in feed.content.decode()


def test_an_operator_page_spans_clubs_as_the_worker_role(
    enforced: HardenedCluster, clubs: Clubs
) -> None:
    with _as_owner(enforced):
        operator = make_user(is_staff=True, is_superuser=True)
    client = _client(enforced, operator, verified=True)
    with _as_owner(enforced):
        north_booking = add_booking(clubs.north, clubs.member, local_start(clubs.north, days=8))
        north_booking_url = reverse("admin:bookings_booking_change", args=[north_booking.pk])
    south_booking_url = reverse("admin:bookings_booking_change", args=[clubs.south_booking.pk])

    with _default_connects_as(_alias_settings(enforced, "app")):
        listing = client.get(reverse("admin:bookings_booking_changelist"))

    assert listing.status_code == 200
    assert north_booking_url in listing.content.decode()
    assert south_booking_url in listing.content.decode()


def test_payment_reconciliation_runs_as_the_worker_role_across_clubs(
    enforced: HardenedCluster,
    simulators: RunningSimulators,  # noqa: F811 - the fixture imported above
) -> None:
    simulators.store.take_outbox()
    with _as_owner(enforced):
        club = gateway_club(simulators, "stripe")
        started = start_booking_payment(club, make_membership(club).user)
    member_at_gateway(started.checkout)
    simulators.store.take_outbox()  # the notification is lost: only reconciliation is left
    with _as_owner(enforced):  # and it is old enough for reconciliation to ask the gateway
        Payment.objects.filter(pk=started.payment.pk).update(
            updated_at=timezone.now() - dt.timedelta(hours=1)
        )

    with _default_connects_as(_alias_settings(enforced, "app")):
        as_app_alone = reconcile_payments.run()
        as_task = _run_as_task(reconcile_payments)

    with _as_owner(enforced):
        started.payment.refresh_from_db()
    assert as_app_alone["checked"] == 0  # the app role without context sees no payment
    assert as_task["checked"] >= 1
    assert started.payment.state == Payment.State.PAID
