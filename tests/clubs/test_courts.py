from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from fortresa.bookings.models import Booking
from fortresa.clubs.models import Court, OpeningHours, Role
from tests.clubs.conftest import Scene


def _court_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Centre court",
        "sport": "padel",
        "surface": "artificial",
        "indoor": "on",
        "has_lights": "on",
        "is_active": "on",
        "position": "5",
    }
    data.update(overrides)
    return data


@pytest.mark.smoke
def test_admin_creates_a_court(scene: Scene) -> None:
    response = scene.client(Role.ADMIN).post(
        reverse("clubs:manage_court_create", args=[scene.club.slug]), _court_data()
    )

    assert response.status_code == 302
    court = Court.objects.get(club=scene.club, name="Centre court")
    assert (court.sport, court.surface, court.indoor, court.has_lights, court.position) == (
        "padel",
        "artificial",
        True,
        True,
        5,
    )


def test_admin_edits_a_court(scene: Scene) -> None:
    scene.client(Role.ADMIN).post(
        reverse("clubs:manage_court_edit", args=[scene.club.slug, scene.court.pk]),
        _court_data(name="Renamed", is_active=""),
    )

    court = Court.objects.get(pk=scene.court.pk)
    assert court.name == "Renamed"
    assert court.is_active is False


def test_duplicate_court_name_is_a_form_error(scene: Scene) -> None:
    other = scene.club.courts.exclude(pk=scene.court.pk).get()

    response = scene.client(Role.ADMIN).post(
        reverse("clubs:manage_court_edit", args=[scene.club.slug, scene.court.pk]),
        _court_data(name=other.name.upper()),
    )

    assert "name" in response.context["form"].errors
    assert Court.objects.get(pk=scene.court.pk).name == scene.court.name


@pytest.mark.parametrize(
    "bad", [{"sport": "curling"}, {"position": "abc"}, {"position": "-3"}, {"name": "x" * 500}]
)
def test_bad_court_input_is_a_form_error_and_changes_nothing(
    scene: Scene, bad: dict[str, str]
) -> None:
    response = scene.client(Role.ADMIN).post(
        reverse("clubs:manage_court_edit", args=[scene.club.slug, scene.court.pk]),
        _court_data(**bad),
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    court = Court.objects.get(pk=scene.court.pk)
    assert (court.name, court.sport, court.position) == (
        scene.court.name,
        scene.court.sport,
        scene.court.position,
    )


@pytest.mark.smoke
def test_unbooked_court_can_be_deleted(scene: Scene) -> None:
    scene.client(Role.ADMIN).post(
        reverse("clubs:manage_court_delete", args=[scene.club.slug, scene.court.pk])
    )

    assert not Court.objects.filter(pk=scene.court.pk).exists()


@pytest.mark.smoke
def test_booked_court_is_never_deleted(scene: Scene) -> None:
    start = timezone.now() + dt.timedelta(days=1)
    Booking.objects.create(
        club=scene.club,
        court=scene.court,
        booked_by=scene.target.user,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )

    response = scene.client(Role.ADMIN).post(
        reverse("clubs:manage_court_delete", args=[scene.club.slug, scene.court.pk]), follow=True
    )

    assert Court.objects.filter(pk=scene.court.pk).exists()
    assert OpeningHours.objects.filter(court=scene.court).count() == 7
    assert "make it not bookable" in response.content.decode()


def test_court_of_another_club_is_not_found(scene: Scene, club_admin) -> None:  # type: ignore[no-untyped-def]
    foreign = club_admin.club.courts.first()

    response = scene.client(Role.ADMIN).get(
        reverse("clubs:manage_court_edit", args=[scene.club.slug, foreign.pk])
    )

    assert response.status_code == 404


def _hours(rows: list[tuple[str, str, str]], initial: int = 0, **extra: str) -> dict[str, str]:
    data = {
        "hours-TOTAL_FORMS": str(len(rows)),
        "hours-INITIAL_FORMS": str(initial),
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
    }
    for index, (weekday, opens, closes) in enumerate(rows):
        data[f"hours-{index}-weekday"] = weekday
        data[f"hours-{index}-opens_at"] = opens
        data[f"hours-{index}-closes_at"] = closes
    data.update(extra)
    return data


def _periods(court: Court) -> list[tuple[int, str, str]]:
    return [
        (h.weekday, f"{h.opens_at:%H:%M}", f"{h.closes_at:%H:%M}")
        for h in OpeningHours.objects.filter(court=court).order_by("weekday", "opens_at")
    ]


@pytest.mark.smoke
def test_opening_hours_are_replaced_by_the_submitted_periods(scene: Scene) -> None:
    response = scene.client(Role.ADMIN).post(
        reverse("clubs:manage_court_hours", args=[scene.club.slug, scene.court.pk]),
        _hours([("0", "07:00", "12:00"), ("0", "14:00", "22:00"), ("5", "09:00", "18:00")]),
    )

    assert response.status_code == 302
    assert _periods(scene.court) == [
        (0, "07:00", "12:00"),
        (0, "14:00", "22:00"),
        (5, "09:00", "18:00"),
    ]


@pytest.mark.smoke
def test_overlapping_opening_hours_are_refused(scene: Scene) -> None:
    before = _periods(scene.court)

    response = scene.client(Role.ADMIN).post(
        reverse("clubs:manage_court_hours", args=[scene.club.slug, scene.court.pk]),
        _hours([("2", "08:00", "12:00"), ("2", "11:00", "15:00")]),
    )

    assert response.status_code == 200
    assert "overlaps" in " ".join(response.context["formset"].non_form_errors())
    assert _periods(scene.court) == before


def test_closing_before_opening_is_refused(scene: Scene) -> None:
    before = _periods(scene.court)

    response = scene.client(Role.ADMIN).post(
        reverse("clubs:manage_court_hours", args=[scene.club.slug, scene.court.pk]),
        _hours([("1", "18:00", "09:00")]),
    )

    assert "closes_at" in response.context["formset"].forms[0].errors
    assert _periods(scene.court) == before


def test_a_period_marked_for_deletion_is_removed(scene: Scene) -> None:
    scene.client(Role.ADMIN).post(
        reverse("clubs:manage_court_hours", args=[scene.club.slug, scene.court.pk]),
        _hours(
            [("0", "08:00", "22:00"), ("1", "08:00", "22:00")],
            initial=2,
            **{"hours-1-DELETE": "on"},
        ),
    )

    assert _periods(scene.court) == [(0, "08:00", "22:00")]


@pytest.mark.parametrize(
    "data",
    [
        {},
        _hours([("9", "08:00", "09:00")]),
        _hours([("0", "25:00", "26:00")]),
        _hours([("x", "noon", "later")]),
        {**_hours([]), "hours-TOTAL_FORMS": "abc"},
        {**_hours([]), "hours-TOTAL_FORMS": "100000"},
    ],
)
def test_malformed_opening_hours_change_nothing(scene: Scene, data: dict[str, str]) -> None:
    before = _periods(scene.court)

    response = scene.client(Role.ADMIN).post(
        reverse("clubs:manage_court_hours", args=[scene.club.slug, scene.court.pk]), data
    )

    assert response.status_code == 200
    assert _periods(scene.court) == before


def test_hours_can_be_copied_to_all_courts(scene: Scene) -> None:
    scene.client(Role.ADMIN).post(
        reverse("clubs:manage_court_hours", args=[scene.club.slug, scene.court.pk]),
        _hours([("6", "10:00", "16:00")]),
    )

    scene.client(Role.ADMIN).post(
        reverse("clubs:manage_court_hours_copy", args=[scene.club.slug, scene.court.pk])
    )

    for court in scene.club.courts.all():
        assert _periods(court) == [(6, "10:00", "16:00")]
