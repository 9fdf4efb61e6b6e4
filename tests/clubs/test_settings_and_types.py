from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from fortresa.clubs.models import Club, Membership, MembershipType, Role
from fortresa.core.models import AuditEvent
from tests.clubs.conftest import Scene


def _settings(scene: Scene, **overrides: Any) -> dict[str, Any]:
    club = scene.club
    data: dict[str, Any] = {
        "name": club.name,
        "timezone": club.timezone,
        "languages": club.languages,
        "default_language": club.default_language,
        "currency": club.currency,
        "contact_email": club.contact_email,
    }
    if club.open_signup:
        data["open_signup"] = "on"
    data.update(overrides)
    return data


@pytest.mark.smoke
def test_admin_changes_settings_and_the_changed_fields_are_audited(scene: Scene) -> None:
    response = scene.client(Role.ADMIN).post(
        reverse("clubs:manage_settings", args=[scene.club.slug]),
        _settings(scene, name="New name", currency="chf", open_signup="on"),
    )

    assert response.status_code == 302
    club = Club.objects.get(pk=scene.club.pk)
    assert (club.name, club.currency, club.open_signup) == ("New name", "CHF", True)
    event = AuditEvent.objects.get(action="club.settings_changed")
    assert sorted(event.details["fields"]) == ["currency", "name", "open_signup"]
    assert event.actor_id == scene.users[Role.ADMIN].pk


def test_unchanged_settings_write_no_audit_event(scene: Scene) -> None:
    scene.client(Role.ADMIN).post(
        reverse("clubs:manage_settings", args=[scene.club.slug]), _settings(scene)
    )

    assert not AuditEvent.objects.filter(action="club.settings_changed").exists()


@pytest.mark.smoke
@pytest.mark.parametrize(
    "bad",
    [
        {"timezone": "Mars/Olympus"},
        {"languages": ["en", "tlh"]},
        {"languages": []},
        {"default_language": "de"},
        {"currency": "EURO"},
        {"currency": "12"},
        {"contact_email": "not-an-email"},
        {"name": "x" * 10_000},
        {"name": ""},
    ],
)
def test_bad_settings_are_form_errors_and_change_nothing(scene: Scene, bad: dict[str, Any]) -> None:
    response = scene.client(Role.ADMIN).post(
        reverse("clubs:manage_settings", args=[scene.club.slug]), _settings(scene, **bad)
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    club = Club.objects.get(pk=scene.club.pk)
    assert (club.name, club.timezone, club.languages, club.currency) == (
        scene.club.name,
        scene.club.timezone,
        scene.club.languages,
        scene.club.currency,
    )
    assert not AuditEvent.objects.filter(action="club.settings_changed").exists()


@pytest.mark.smoke
def test_admin_creates_a_membership_type(scene: Scene) -> None:
    response = scene.client(Role.ADMIN).post(
        reverse("clubs:manage_types", args=[scene.club.slug]),
        {"name": "Junior", "description": "Under 18"},
    )

    assert response.status_code == 302
    assert MembershipType.objects.get(club=scene.club, name="Junior").description == "Under 18"


def test_duplicate_membership_type_name_is_a_form_error(scene: Scene) -> None:
    response = scene.client(Role.ADMIN).post(
        reverse("clubs:manage_types", args=[scene.club.slug]), {"name": "adult"}
    )

    assert "name" in response.context["form"].errors
    assert MembershipType.objects.filter(club=scene.club).count() == 1


def test_admin_renames_a_membership_type(scene: Scene) -> None:
    scene.client(Role.ADMIN).post(
        reverse("clubs:manage_type_edit", args=[scene.club.slug, scene.membership_type.pk]),
        {"name": "Senior", "description": ""},
    )

    assert MembershipType.objects.get(pk=scene.membership_type.pk).name == "Senior"


@pytest.mark.smoke
def test_deleting_a_membership_type_leaves_its_members_without_type(scene: Scene) -> None:
    Membership.objects.filter(pk=scene.target.pk).update(membership_type=scene.membership_type)

    scene.client(Role.ADMIN).post(
        reverse("clubs:manage_type_delete", args=[scene.club.slug, scene.membership_type.pk])
    )

    assert not MembershipType.objects.filter(pk=scene.membership_type.pk).exists()
    assert Membership.objects.get(pk=scene.target.pk).membership_type is None


def test_membership_type_of_another_club_is_not_found(scene: Scene, club_admin) -> None:  # type: ignore[no-untyped-def]
    foreign = MembershipType.objects.create(club=club_admin.club, name="Theirs")

    response = scene.client(Role.ADMIN).post(
        reverse("clubs:manage_type_delete", args=[scene.club.slug, foreign.pk])
    )

    assert response.status_code == 404
    assert MembershipType.objects.filter(pk=foreign.pk).exists()


@pytest.mark.parametrize(
    "path", ["courts/99999999999999999999/", "courts/0/", "members/-1/", "courts/abc/"]
)
def test_unknown_or_malformed_ids_are_not_found(scene: Scene, path: str) -> None:
    response = scene.client(Role.ADMIN).get(f"/c/{scene.club.slug}/manage/{path}")

    assert response.status_code == 404


def test_overview_links_to_every_page_for_admins(scene: Scene) -> None:
    response = scene.client(Role.ADMIN).get(reverse("clubs:manage", args=[scene.club.slug]))

    page = response.content.decode()
    for name in [
        "manage_settings",
        "manage_courts",
        "manage_closures",
        "manage_types",
        "manage_members",
        "manage_invitations",
    ]:
        assert reverse(f"clubs:{name}", args=[scene.club.slug]) in page
    assert reverse("bookings:manage_rules", args=[scene.club.slug]) in page


def test_overview_shows_staff_only_their_pages(scene: Scene) -> None:
    response = scene.client(Role.STAFF).get(reverse("clubs:manage", args=[scene.club.slug]))

    page = response.content.decode()
    assert reverse("clubs:manage_closures", args=[scene.club.slug]) in page
    assert reverse("clubs:manage_settings", args=[scene.club.slug]) not in page
    assert reverse("clubs:manage_courts", args=[scene.club.slug]) not in page
