from __future__ import annotations

import pytest
from django.urls import reverse

from fortresa.accounts.models import SecurityEvent
from fortresa.clubs import services
from fortresa.clubs.errors import ActionRefused
from fortresa.clubs.models import Membership, MembershipType, Role
from fortresa.core.models import AuditEvent
from tests.clubs.conftest import Scene
from tests.factories import make_membership, make_user


def _url(scene: Scene, name: str, membership: Membership) -> str:
    return reverse(name, args=[scene.club.slug, membership.pk])


@pytest.mark.smoke
def test_admin_changes_a_role_and_it_is_audited(scene: Scene) -> None:
    response = scene.client(Role.ADMIN).post(
        _url(scene, "clubs:manage_member_role", scene.target), {"role": "staff"}
    )

    assert response.status_code == 302
    assert Membership.objects.get(pk=scene.target.pk).role == Role.STAFF
    event = AuditEvent.objects.get(action="club.role_changed")
    assert event.details == {"old_role": "member", "new_role": "staff"}
    assert event.club_id == scene.club.pk
    assert event.actor_id == scene.users[Role.ADMIN].pk


@pytest.mark.smoke
def test_last_admin_cannot_demote_themselves(scene: Scene) -> None:
    admin = Membership.objects.get(club=scene.club, role=Role.ADMIN)

    scene.client(Role.ADMIN).post(
        _url(scene, "clubs:manage_member_role", admin), {"role": "member"}
    )

    assert Membership.objects.get(pk=admin.pk).role == Role.ADMIN
    assert not AuditEvent.objects.filter(action="club.role_changed").exists()


@pytest.mark.smoke
def test_last_admin_cannot_be_removed(scene: Scene) -> None:
    admin = Membership.objects.get(club=scene.club, role=Role.ADMIN)

    response = scene.client(Role.ADMIN).post(_url(scene, "clubs:manage_member_remove", admin))

    assert Membership.objects.filter(pk=admin.pk).exists()
    messages = [str(m) for m in response.wsgi_request._messages]  # type: ignore[attr-defined]
    assert any("last admin" in m for m in messages)


def test_an_admin_may_step_down_when_another_admin_remains(scene: Scene) -> None:
    second = make_membership(scene.club, role=Role.ADMIN)

    services.change_member_role(membership=second, role=Role.MEMBER, actor=second.user)

    assert Membership.objects.get(pk=second.pk).role == Role.MEMBER


def test_service_refuses_to_demote_the_last_admin(scene: Scene) -> None:
    admin = Membership.objects.get(club=scene.club, role=Role.ADMIN)

    with pytest.raises(ActionRefused):
        services.change_member_role(membership=admin, role=Role.STAFF, actor=admin.user)


@pytest.mark.smoke
def test_admin_removes_a_member_and_it_is_audited(scene: Scene) -> None:
    response = scene.client(Role.ADMIN).post(
        _url(scene, "clubs:manage_member_remove", scene.target)
    )

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=scene.target.pk).exists()
    event = AuditEvent.objects.get(action="club.member_removed")
    assert event.target == f"user:{scene.target.user_id}"


def test_staff_assigns_a_membership_type(scene: Scene) -> None:
    response = scene.client(Role.STAFF).post(
        _url(scene, "clubs:manage_member_type", scene.target),
        {"membership_type": scene.membership_type.pk},
    )

    assert response.status_code == 302
    assert Membership.objects.get(pk=scene.target.pk).membership_type == scene.membership_type


def test_membership_type_can_be_cleared(scene: Scene) -> None:
    Membership.objects.filter(pk=scene.target.pk).update(membership_type=scene.membership_type)

    scene.client(Role.STAFF).post(
        _url(scene, "clubs:manage_member_type", scene.target), {"membership_type": ""}
    )

    assert Membership.objects.get(pk=scene.target.pk).membership_type is None


def test_membership_type_of_another_club_is_refused(scene: Scene, club_admin: Membership) -> None:
    foreign = MembershipType.objects.create(club=club_admin.club, name="Foreign")

    scene.client(Role.ADMIN).post(
        _url(scene, "clubs:manage_member_type", scene.target), {"membership_type": foreign.pk}
    )

    assert Membership.objects.get(pk=scene.target.pk).membership_type is None


@pytest.mark.smoke
def test_member_of_another_club_is_not_found(scene: Scene, club_admin: Membership) -> None:
    response = scene.client(Role.ADMIN).post(
        _url(scene, "clubs:manage_member_remove", club_admin), {}
    )

    assert response.status_code == 404
    assert Membership.objects.filter(pk=club_admin.pk).exists()


def test_unknown_role_is_refused(scene: Scene) -> None:
    scene.client(Role.ADMIN).post(
        _url(scene, "clubs:manage_member_role", scene.target), {"role": "superuser"}
    )

    assert Membership.objects.get(pk=scene.target.pk).role == Role.MEMBER


def test_member_search_finds_by_name_or_email(scene: Scene) -> None:
    make_membership(scene.club, make_user(full_name="Zoë Quill", email="zq@example.test"))

    by_name = scene.client(Role.STAFF).get(
        reverse("clubs:manage_members", args=[scene.club.slug]), {"q": "quill"}
    )
    by_email = scene.client(Role.STAFF).get(
        reverse("clubs:manage_members", args=[scene.club.slug]), {"q": "ZQ@"}
    )

    assert [m.user.full_name for m in by_name.context["page"].object_list] == ["Zoë Quill"]
    assert [m.user.email for m in by_email.context["page"].object_list] == ["zq@example.test"]


def test_member_list_shows_only_this_clubs_members(scene: Scene, club_admin: Membership) -> None:
    response = scene.client(Role.STAFF).get(reverse("clubs:manage_members", args=[scene.club.slug]))

    emails = {m.user.email for m in response.context["page"].object_list}
    assert scene.target.user.email in emails
    assert club_admin.user.email not in emails


@pytest.mark.parametrize("params", [{"q": "x" * 5000}, {"page": "abc"}, {"page": "-1"}])
def test_malformed_search_parameters_do_not_fail(scene: Scene, params: dict[str, str]) -> None:
    response = scene.client(Role.STAFF).get(
        reverse("clubs:manage_members", args=[scene.club.slug]), params
    )

    assert response.status_code == 200


def test_staff_sees_no_role_or_remove_controls(scene: Scene) -> None:
    response = scene.client(Role.STAFF).get(_url(scene, "clubs:manage_member", scene.target))

    page = response.content.decode()
    assert _url(scene, "clubs:manage_member_role", scene.target) not in page
    assert _url(scene, "clubs:manage_member_remove", scene.target) not in page
    assert _url(scene, "clubs:manage_member_type", scene.target) in page


def test_role_change_is_a_security_event_for_detection(scene: Scene) -> None:
    scene.client(Role.ADMIN).post(
        _url(scene, "clubs:manage_member_role", scene.target), {"role": "staff"}
    )

    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.ROLE_CHANGED)
    assert event.user_id == scene.target.user_id
    assert event.details["to"] == "staff"


def test_staff_viewing_a_member_is_recorded_for_that_member(scene: Scene) -> None:
    response = scene.client(Role.STAFF).get(_url(scene, "clubs:manage_member", scene.target))

    assert response.status_code == 200
    viewed = SecurityEvent.objects.get(kind=SecurityEvent.Kind.PERSONAL_DATA_VIEWED)
    assert (viewed.user_id, viewed.actor_id) == (scene.target.user_id, scene.users[Role.STAFF].pk)
