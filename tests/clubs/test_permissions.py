"""Every administration page against every kind of visitor, following permissions.MATRIX."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from fortresa.clubs.models import Closure, Court, Invitation, Membership, MembershipType, Role
from fortresa.clubs.permissions import MATRIX, Capability, allows, invitable_roles
from tests.clubs.conftest import Scene

Ids = Callable[[Scene], dict[str, Any]]


def _no_ids(scene: Scene) -> dict[str, Any]:
    return {}


def _court(scene: Scene) -> dict[str, Any]:
    return {"court_id": scene.court.pk}


def _type(scene: Scene) -> dict[str, Any]:
    return {"type_id": scene.membership_type.pk}


def _member(scene: Scene) -> dict[str, Any]:
    return {"membership_id": scene.target.pk}


GET_PAGES: list[tuple[str, Ids, Capability]] = [
    ("clubs:manage", _no_ids, Capability.VIEW_ADMINISTRATION),
    ("clubs:manage_settings", _no_ids, Capability.EDIT_SETTINGS),
    ("clubs:manage_courts", _no_ids, Capability.MANAGE_COURTS),
    ("clubs:manage_court_create", _no_ids, Capability.MANAGE_COURTS),
    ("clubs:manage_court_edit", _court, Capability.MANAGE_COURTS),
    ("clubs:manage_court_hours", _court, Capability.MANAGE_COURTS),
    ("clubs:manage_closures", _no_ids, Capability.MANAGE_CLOSURES),
    ("clubs:manage_types", _no_ids, Capability.MANAGE_MEMBERSHIP_TYPES),
    ("clubs:manage_type_edit", _type, Capability.MANAGE_MEMBERSHIP_TYPES),
    ("clubs:manage_members", _no_ids, Capability.VIEW_MEMBERS),
    ("clubs:manage_member", _member, Capability.VIEW_MEMBERS),
    ("clubs:manage_invitations", _no_ids, Capability.INVITE_MEMBER),
]
ROLES = [Role.ADMIN, Role.STAFF, Role.COACH, Role.MEMBER]


def _url(scene: Scene, name: str, ids: Ids, slug: str | None = None) -> str:
    return reverse(name, kwargs={"slug": slug or scene.club.slug, **ids(scene)})


@pytest.mark.smoke
@pytest.mark.parametrize(("name", "ids", "capability"), GET_PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(
    scene: Scene, name: str, ids: Ids, capability: Capability
) -> None:
    response = scene.client("anonymous").get(_url(scene, name, ids))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.smoke
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "ids", "capability"), GET_PAGES)
def test_page_is_open_exactly_to_the_roles_of_the_matrix(
    scene: Scene, name: str, ids: Ids, capability: Capability, role: Role
) -> None:
    response = scene.client(role).get(_url(scene, name, ids))

    assert response.status_code == (200 if allows(role, capability) else 403)


@pytest.mark.parametrize(("name", "ids", "capability"), GET_PAGES)
def test_admin_of_another_club_is_refused(
    scene: Scene, name: str, ids: Ids, capability: Capability
) -> None:
    response = scene.client("other_admin").get(_url(scene, name, ids))

    assert response.status_code == 403


@pytest.mark.parametrize(("name", "ids", "capability"), GET_PAGES)
def test_unknown_club_is_not_found(
    scene: Scene, name: str, ids: Ids, capability: Capability
) -> None:
    response = scene.client(Role.ADMIN).get(_url(scene, name, ids, slug="no-such-club"))

    assert response.status_code == 404


def _unchanged(scene: Scene) -> bool:
    return (
        Membership.objects.filter(pk=scene.target.pk, role=Role.MEMBER).exists()
        and Closure.objects.filter(pk=scene.closure.pk).exists()
        and MembershipType.objects.filter(pk=scene.membership_type.pk).exists()
        and Invitation.objects.filter(pk=scene.invitation.pk).exists()
        and Court.objects.filter(pk=scene.court.pk).exists()
    )


POSTS: list[tuple[str, Ids, dict[str, str], Capability]] = [
    ("clubs:manage_member_role", _member, {"role": "admin"}, Capability.CHANGE_ROLE),
    ("clubs:manage_member_remove", _member, {}, Capability.REMOVE_MEMBER),
    ("clubs:manage_court_delete", _court, {}, Capability.MANAGE_COURTS),
    ("clubs:manage_type_delete", _type, {}, Capability.MANAGE_MEMBERSHIP_TYPES),
    (
        "clubs:manage_closure_delete",
        lambda s: {"closure_id": s.closure.pk},
        {},
        Capability.MANAGE_CLOSURES,
    ),
    (
        "clubs:manage_invitation_revoke",
        lambda s: {"invitation_id": s.invitation.pk},
        {},
        Capability.REVOKE_INVITATION,
    ),
]


@pytest.mark.smoke
@pytest.mark.parametrize("who", [Role.MEMBER, Role.COACH, "other_admin"])
@pytest.mark.parametrize(("name", "ids", "data", "capability"), POSTS)
def test_actions_are_refused_to_members_coaches_and_outsiders_and_change_nothing(
    scene: Scene, who: str, name: str, ids: Ids, data: dict[str, str], capability: Capability
) -> None:
    response = scene.client(who).post(_url(scene, name, ids), data)

    assert response.status_code == 403
    assert _unchanged(scene)


@pytest.mark.parametrize(("name", "ids", "data", "capability"), POSTS)
def test_staff_may_act_only_where_the_matrix_says(
    scene: Scene, name: str, ids: Ids, data: dict[str, str], capability: Capability
) -> None:
    response = scene.client(Role.STAFF).post(_url(scene, name, ids), data)

    if allows(Role.STAFF, capability):
        assert response.status_code == 302
    else:
        assert response.status_code == 403
        assert _unchanged(scene)


@pytest.mark.parametrize(("name", "ids", "data", "capability"), POSTS)
def test_actions_refuse_get(
    scene: Scene, name: str, ids: Ids, data: dict[str, str], capability: Capability
) -> None:
    response = scene.client(Role.ADMIN).get(_url(scene, name, ids))

    assert response.status_code == 405


@pytest.mark.smoke
def test_matrix_gives_admins_everything_and_members_and_coaches_nothing() -> None:
    assert all(Role.ADMIN in roles for roles in MATRIX.values())
    assert not any(Role.MEMBER in roles or Role.COACH in roles for roles in MATRIX.values())


@pytest.mark.smoke
def test_staff_may_invite_only_members_and_coaches() -> None:
    assert set(invitable_roles(Role.STAFF)) == {Role.MEMBER, Role.COACH}
    assert set(invitable_roles(Role.ADMIN)) == set(Role)
    assert invitable_roles(Role.COACH) == ()
