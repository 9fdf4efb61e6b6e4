from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from fortresa.accounts.models import User
from fortresa.clubs import services
from fortresa.clubs.models import Closure, Club, Court, Invitation, Membership, MembershipType, Role
from tests.factories import make_club, make_membership, make_user, sign_in

TOKEN_IN_LINK = re.compile(r"/invite/([A-Za-z0-9_-]+)/")


@dataclass
class Scene:
    """One club with a user in every role, an outsider admin, and one row of each kind."""

    club: Club
    users: dict[str, User]
    court: Court
    membership_type: MembershipType
    closure: Closure
    target: Membership
    invitation: Invitation

    def client(self, who: str) -> Client:
        client = Client()
        if who != "anonymous":
            sign_in(client, self.users[who])
        return client


@pytest.fixture
def scene(db) -> Scene:  # type: ignore[no-untyped-def]
    club = make_club(contact_email="desk@club.test")
    other = make_club()
    users = {role: make_membership(club, role=role).user for role in Role.values}
    users["other_admin"] = make_membership(other, role=Role.ADMIN).user
    membership_type = MembershipType.objects.create(club=club, name="Adult")
    now = timezone.now()
    closure = Closure.objects.create(
        club=club,
        starts_at=now + dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=2),
        reason="Tournament",
    )
    invitation = Invitation.objects.create(
        club=club,
        email="pending@example.test",
        token_hash="0" * 64,
        expires_at=now + dt.timedelta(days=7),
        created_by=users[Role.ADMIN],
    )
    return Scene(
        club=club,
        users=users,
        court=club.courts.first(),  # type: ignore[arg-type]
        membership_type=membership_type,
        closure=closure,
        target=make_membership(club),
        invitation=invitation,
    )


InviteFn = Callable[..., str]


@pytest.fixture
def invite(mailoutbox, django_capture_on_commit_callbacks) -> InviteFn:  # type: ignore[no-untyped-def]
    """Invite through the service and return the token read from the email sent."""

    def _invite(club: Club, actor: User, email: str, role: str = Role.MEMBER, **kwargs) -> str:  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            services.invite_member(
                club=club,
                email=email,
                role=role,
                membership_type=kwargs.get("membership_type"),
                actor=actor,
            )
        match = TOKEN_IN_LINK.search(mailoutbox[-1].body)
        assert match is not None
        return match.group(1)

    return _invite


@pytest.fixture
def club_admin(db) -> Membership:  # type: ignore[no-untyped-def]
    return make_membership(make_club(), role=Role.ADMIN)


def client_for(user: User) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def outsider() -> User:
    return make_user()
