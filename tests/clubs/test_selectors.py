"""Reads of club data: ``access_club`` as every club page uses it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fortresa.clubs.models import Role
from fortresa.clubs.selectors import access_club
from tests.factories import make_club, make_membership

pytestmark = pytest.mark.django_db


def test_member_access_is_one_query_without_ordering_or_the_users_table():
    club = make_club()
    member = make_membership(club).user

    with CaptureQueriesContext(connection) as queries:
        access = access_club(member, club.slug)

    assert access.club == club
    assert access.membership is not None
    assert access.membership.user_id == member.pk
    [query] = queries.captured_queries
    assert '"accounts_user"' not in query["sql"]
    assert "ORDER BY" not in query["sql"]


def test_access_is_refused_to_a_member_of_another_club_only():
    club, other = make_club(), make_club()
    outsider = make_membership(other).user

    with pytest.raises(PermissionDenied):
        access_club(outsider, club.slug)
    assert access_club(outsider, other.slug).role == Role.MEMBER
