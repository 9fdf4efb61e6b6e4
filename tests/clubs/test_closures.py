from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fortresa.clubs.models import Closure, Role
from fortresa.core.models import AuditEvent
from tests.clubs.conftest import Scene


@pytest.mark.smoke
def test_closure_times_are_read_in_the_clubs_time_zone(scene: Scene) -> None:
    response = scene.client(Role.STAFF).post(
        reverse("clubs:manage_closures", args=[scene.club.slug]),
        {
            "court": "",
            "starts_at": "2031-07-14T08:00",
            "ends_at": "2031-07-14T18:30",
            "reason": "Fête",
        },
    )

    assert response.status_code == 302
    closure = Closure.objects.get(reason="Fête")
    assert closure.court is None
    # Paris is UTC+2 in July.
    assert closure.starts_at == dt.datetime(2031, 7, 14, 6, 0, tzinfo=dt.UTC)
    assert closure.ends_at == dt.datetime(2031, 7, 14, 16, 30, tzinfo=dt.UTC)
    assert AuditEvent.objects.filter(action="club.closure_created").exists()


def test_closure_of_one_court(scene: Scene) -> None:
    scene.client(Role.ADMIN).post(
        reverse("clubs:manage_closures", args=[scene.club.slug]),
        {
            "court": scene.court.pk,
            "starts_at": "2031-01-01 08:00",
            "ends_at": "2031-01-02 08:00",
            "reason": "Resurfacing",
        },
    )

    assert Closure.objects.get(reason="Resurfacing").court == scene.court


def test_upcoming_closures_are_listed_in_local_time(scene: Scene) -> None:
    Closure.objects.create(
        club=scene.club,
        starts_at=dt.datetime(2031, 1, 10, 9, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2031, 1, 10, 11, 0, tzinfo=dt.UTC),
        reason="Winter cup",
    )
    Closure.objects.create(
        club=scene.club,
        starts_at=timezone.now() - dt.timedelta(days=3),
        ends_at=timezone.now() - dt.timedelta(days=2),
        reason="Long gone",
    )

    response = scene.client(Role.STAFF).get(
        reverse("clubs:manage_closures", args=[scene.club.slug])
    )

    page = response.content.decode()
    assert "Winter cup" in page
    assert "2031-01-10 10:00" in page
    assert "Long gone" not in page


@pytest.mark.smoke
@pytest.mark.parametrize(
    "data",
    [
        {"starts_at": "2031-01-02T08:00", "ends_at": "2031-01-01T08:00", "reason": "Backwards"},
        {"starts_at": "not a date", "ends_at": "2031-01-01T08:00", "reason": "Garbage"},
        {"starts_at": "2031-01-01T08:00", "ends_at": "2031-01-01T09:00", "reason": "x" * 201},
        {"starts_at": "2031-03-30T02:30", "ends_at": "2031-03-30T05:00", "reason": "Skipped hour"},
        {
            "court": "999999999",
            "starts_at": "2031-01-01T08:00",
            "ends_at": "2031-01-01T09:00",
            "reason": "No court",
        },
        {
            "court": "abc",
            "starts_at": "2031-01-01T08:00",
            "ends_at": "2031-01-01T09:00",
            "reason": "Bad court",
        },
    ],
)
def test_bad_closure_input_is_a_form_error(scene: Scene, data: dict[str, str]) -> None:
    count = Closure.objects.count()

    response = scene.client(Role.ADMIN).post(
        reverse("clubs:manage_closures", args=[scene.club.slug]), data
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert Closure.objects.count() == count


def test_court_of_another_club_cannot_be_closed(scene: Scene, club_admin) -> None:  # type: ignore[no-untyped-def]
    foreign = club_admin.club.courts.first()

    response = scene.client(Role.ADMIN).post(
        reverse("clubs:manage_closures", args=[scene.club.slug]),
        {
            "court": foreign.pk,
            "starts_at": "2031-01-01T08:00",
            "ends_at": "2031-01-01T09:00",
            "reason": "Sneaky",
        },
    )

    assert "court" in response.context["form"].errors
    assert not Closure.objects.filter(reason="Sneaky").exists()


@pytest.mark.smoke
def test_staff_deletes_a_closure(scene: Scene) -> None:
    scene.client(Role.STAFF).post(
        reverse("clubs:manage_closure_delete", args=[scene.club.slug, scene.closure.pk])
    )

    assert not Closure.objects.filter(pk=scene.closure.pk).exists()


def test_closure_of_another_club_is_not_found(scene: Scene, club_admin) -> None:  # type: ignore[no-untyped-def]
    foreign = Closure.objects.create(
        club=club_admin.club,
        starts_at=timezone.now(),
        ends_at=timezone.now() + dt.timedelta(hours=1),
        reason="Theirs",
    )

    response = scene.client(Role.ADMIN).post(
        reverse("clubs:manage_closure_delete", args=[scene.club.slug, foreign.pk])
    )

    assert response.status_code == 404
    assert Closure.objects.filter(pk=foreign.pk).exists()
