from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fortresa.accounts.models import User
from fortresa.clubs import services
from fortresa.clubs.errors import ActionRefused
from fortresa.clubs.models import Invitation, Membership, MembershipType, Role
from fortresa.core.models import AuditEvent
from tests.clubs.conftest import InviteFn, Scene, client_for
from tests.factories import PASSWORD, make_user


def _accept_url(token: str) -> str:
    return reverse("clubs:accept_invitation", args=[token])


@pytest.mark.smoke
def test_invitation_email_carries_a_site_link_in_the_clubs_language(
    scene: Scene,
    invite: InviteFn,
    mailoutbox,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.FORTRESA_SITE_URL = "https://courts.example.test/"
    scene.club.default_language = "fr"
    scene.club.save()

    token = invite(scene.club, scene.users[Role.ADMIN], "new@example.test")

    message = mailoutbox[-1]
    assert message.to == ["new@example.test"]
    assert f"https://courts.example.test/invite/{token}/" in message.body
    assert scene.club.name in message.subject


@pytest.mark.smoke
def test_only_the_tokens_hash_is_stored(scene: Scene, invite: InviteFn) -> None:
    token = invite(scene.club, scene.users[Role.ADMIN], "new@example.test")

    invitation = Invitation.objects.get(email="new@example.test")
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.filter(pk=invitation.pk).values().get())


def test_invitation_is_valid_for_seven_days(scene: Scene, invite: InviteFn) -> None:
    invite(scene.club, scene.users[Role.ADMIN], "new@example.test")

    invitation = Invitation.objects.get(email="new@example.test")
    lifetime = invitation.expires_at - invitation.created_at
    assert dt.timedelta(days=7) - dt.timedelta(minutes=1) < lifetime <= dt.timedelta(days=7)


def test_inviting_writes_an_audit_event(scene: Scene, invite: InviteFn) -> None:
    invite(scene.club, scene.users[Role.STAFF], "new@example.test", Role.COACH)

    event = AuditEvent.objects.get(action="club.member_invited")
    assert event.club_id == scene.club.pk
    assert event.actor_id == scene.users[Role.STAFF].pk
    assert event.details == {"role": "coach"}


@pytest.mark.smoke
def test_invited_visitor_signs_up_with_the_invited_email(scene: Scene, invite: InviteFn) -> None:
    token = invite(
        scene.club,
        scene.users[Role.ADMIN],
        "new@example.test",
        Role.COACH,
        membership_type=scene.membership_type,
    )
    client = Client()

    response = client.post(
        _accept_url(token),
        {
            "full_name": "New Coach",
            "email": "attacker@example.test",  # ignored: the field is fixed
            "password": PASSWORD,
            "preferred_language": "en",
        },
    )

    assert response.status_code == 302
    membership = Membership.objects.get(club=scene.club, user__email="new@example.test")
    assert membership.role == Role.COACH
    assert membership.membership_type == scene.membership_type
    assert not User.objects.filter(email="attacker@example.test").exists()
    assert client.session["_auth_user_id"] == str(membership.user_id)
    assert AuditEvent.objects.filter(action="club.invitation_accepted").exists()


@pytest.mark.smoke
def test_signed_in_invitee_accepts_with_one_post(scene: Scene, invite: InviteFn) -> None:
    user = make_user(email="known@example.test")
    token = invite(scene.club, scene.users[Role.ADMIN], "Known@Example.test")

    response = client_for(user).post(_accept_url(token))

    assert response.status_code == 302
    assert Membership.objects.filter(club=scene.club, user=user, role=Role.MEMBER).exists()
    assert Invitation.objects.get(email="known@example.test").accepted_at is not None


def test_existing_account_not_signed_in_is_asked_to_sign_in(scene: Scene, invite: InviteFn) -> None:
    make_user(email="known@example.test")
    token = invite(scene.club, scene.users[Role.ADMIN], "known@example.test")

    response = Client().get(_accept_url(token))

    assert response.status_code == 200
    assert reverse("accounts:login") + "?next=" in response.content.decode()
    assert "form" not in response.context


@pytest.mark.smoke
def test_invitation_for_someone_else_is_refused_clearly(scene: Scene, invite: InviteFn) -> None:
    token = invite(scene.club, scene.users[Role.ADMIN], "new@example.test")
    stranger = make_user()

    response = client_for(stranger).post(_accept_url(token))

    assert response.status_code == 403
    assert "another address" in response.content.decode()
    assert not Membership.objects.filter(club=scene.club, user=stranger).exists()
    assert Invitation.objects.get(email="new@example.test").accepted_at is None


@pytest.mark.smoke
def test_used_invitation_cannot_be_used_again(scene: Scene, invite: InviteFn) -> None:
    token = invite(scene.club, scene.users[Role.ADMIN], "new@example.test")
    user = make_user(email="new@example.test")
    client_for(user).post(_accept_url(token))

    response = Client().post(
        _accept_url(token),
        {"full_name": "X", "password": PASSWORD, "preferred_language": "en"},
    )

    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert Membership.objects.filter(club=scene.club, user__email="new@example.test").count() == 1


@pytest.mark.smoke
def test_expired_invitation_shows_a_clear_page_and_changes_nothing(
    scene: Scene, invite: InviteFn
) -> None:
    token = invite(scene.club, scene.users[Role.ADMIN], "new@example.test")
    Invitation.objects.filter(email="new@example.test").update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )

    response = Client().post(
        _accept_url(token),
        {"full_name": "Late", "password": PASSWORD, "preferred_language": "en"},
    )

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not User.objects.filter(email="new@example.test").exists()


@pytest.mark.smoke
@pytest.mark.parametrize("token", ["unknown-token", "x" * 5000])
def test_unknown_token_shows_a_clear_page(db, token: str) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(_accept_url("placeholder").replace("placeholder", token))

    assert response.status_code == 404
    assert "not valid" in response.content.decode()


@pytest.mark.smoke
def test_token_with_a_nul_byte_is_a_bad_request(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(_accept_url("placeholder").replace("placeholder", "%00%27--"))

    assert response.status_code == 400
    assert Invitation.objects.filter(accepted_at__isnull=False).count() == 0


def test_already_member_accepting_changes_nothing(scene: Scene, invite: InviteFn) -> None:
    user = make_user(email="new@example.test")
    token = invite(scene.club, scene.users[Role.ADMIN], "new@example.test", Role.STAFF)
    Membership.objects.create(club=scene.club, user=user, role=Role.MEMBER)

    response = client_for(user).post(_accept_url(token))

    assert response.status_code == 302
    assert Membership.objects.get(club=scene.club, user=user).role == Role.MEMBER
    assert Invitation.objects.get(email="new@example.test").accepted_at is None


@pytest.mark.smoke
def test_inviting_an_existing_member_is_refused(scene: Scene) -> None:
    response = scene.client(Role.ADMIN).post(
        reverse("clubs:manage_invitations", args=[scene.club.slug]),
        {"email": scene.target.user.email.upper(), "role": "member"},
    )

    assert response.status_code == 200
    assert "already a member" in str(response.context["form"].errors["email"])
    assert not Invitation.objects.filter(email=scene.target.user.email).exists()


def test_invite_form_sends_the_invitation(
    scene: Scene, mailoutbox, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = scene.client(Role.STAFF).post(
            reverse("clubs:manage_invitations", args=[scene.club.slug]),
            {
                "email": "new@example.test",
                "role": "coach",
                "membership_type": scene.membership_type.pk,
            },
        )

    assert response.status_code == 302
    assert Invitation.objects.get(email="new@example.test").role == Role.COACH
    assert len(mailoutbox) == 1


@pytest.mark.smoke
@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
def test_staff_cannot_invite_staff_or_admins(scene: Scene, role: Role) -> None:
    response = scene.client(Role.STAFF).post(
        reverse("clubs:manage_invitations", args=[scene.club.slug]),
        {"email": "new@example.test", "role": role},
    )

    assert "role" in response.context["form"].errors
    assert not Invitation.objects.filter(email="new@example.test").exists()


def test_service_refuses_a_role_beyond_the_inviters(scene: Scene) -> None:
    with pytest.raises(ActionRefused):
        services.invite_member(
            club=scene.club,
            email="x@example.test",
            role=Role.ADMIN,
            membership_type=None,
            actor=scene.users[Role.STAFF],
        )

    assert not Invitation.objects.filter(email="x@example.test").exists()


def test_admin_may_invite_an_admin(scene: Scene, invite: InviteFn) -> None:
    token = invite(scene.club, scene.users[Role.ADMIN], "boss@example.test", Role.ADMIN)
    user = make_user(email="boss@example.test")

    client_for(user).post(_accept_url(token))

    assert Membership.objects.get(club=scene.club, user=user).role == Role.ADMIN


def test_membership_type_of_another_club_is_refused(scene: Scene, club_admin: Membership) -> None:
    foreign = MembershipType.objects.create(club=club_admin.club, name="Foreign")

    response = scene.client(Role.ADMIN).post(
        reverse("clubs:manage_invitations", args=[scene.club.slug]),
        {"email": "new@example.test", "role": "member", "membership_type": foreign.pk},
    )

    assert "membership_type" in response.context["form"].errors
    assert not Invitation.objects.filter(email="new@example.test").exists()


def test_a_new_invitation_replaces_the_pending_one(scene: Scene, invite: InviteFn) -> None:
    first = invite(scene.club, scene.users[Role.ADMIN], "new@example.test")
    invite(scene.club, scene.users[Role.ADMIN], "new@example.test")

    response = Client().get(_accept_url(first))

    assert response.status_code == 404
    assert Invitation.objects.filter(email="new@example.test").count() == 1


@pytest.mark.smoke
def test_revoked_invitation_stops_working(scene: Scene, invite: InviteFn) -> None:
    token = invite(scene.club, scene.users[Role.ADMIN], "new@example.test")
    invitation = Invitation.objects.get(email="new@example.test")

    scene.client(Role.STAFF).post(
        reverse("clubs:manage_invitation_revoke", args=[scene.club.slug, invitation.pk])
    )

    assert Client().get(_accept_url(token)).status_code == 404
    assert AuditEvent.objects.filter(action="club.invitation_revoked").exists()


def test_staff_cannot_revoke_an_admin_invitation(scene: Scene, invite: InviteFn) -> None:
    invite(scene.club, scene.users[Role.ADMIN], "boss@example.test", Role.ADMIN)
    invitation = Invitation.objects.get(email="boss@example.test")

    scene.client(Role.STAFF).post(
        reverse("clubs:manage_invitation_revoke", args=[scene.club.slug, invitation.pk])
    )

    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_pending_invitations_are_listed(scene: Scene, invite: InviteFn) -> None:
    invite(scene.club, scene.users[Role.ADMIN], "new@example.test")

    response = scene.client(Role.STAFF).get(
        reverse("clubs:manage_invitations", args=[scene.club.slug])
    )

    assert "new@example.test" in response.content.decode()
