from __future__ import annotations

import pytest
from django.test import Client

from fortresa.accounts.models import User
from tests.factories import make_club, make_membership

# demo_server, browser and page for every directory (one server per pytest process).
pytest_plugins = ("tests.browser",)


@pytest.fixture
def club(db):  # type: ignore[no-untyped-def]
    return make_club()


@pytest.fixture
def member(club) -> User:  # type: ignore[no-untyped-def]
    return make_membership(club).user


@pytest.fixture
def member_client(member: User) -> Client:
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def no_foreign_alerts(db: None) -> None:
    """Start the test without detection alerts committed by other processes.

    Tests that run real servers against the test database (the shared lockout counter
    across two processes, for one) commit alerts outside any test transaction; this
    test's own transaction removes them and rolls the removal back at its end.
    """
    from fortresa.detection.models import Alert

    Alert.objects.all().delete()
