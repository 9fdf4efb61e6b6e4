"""`fortresa check` warns about database connections that break the access policy."""

from __future__ import annotations

from typing import Any

import pytest

from fortresa.dbaccess.checks import connection_messages

pytestmark = pytest.mark.smoke

APP = {"ENGINE": "django.db.backends.postgresql", "HOST": "db.internal", "USER": "fortresa_app"}
OWNER = {**APP, "USER": "fortresa_owner", "OPTIONS": {"sslmode": "verify-full"}}


def _ids(databases: dict[str, Any], profile: str = "production") -> list[str]:
    messages = connection_messages(databases, profile=profile, app_role="fortresa_app")
    return [message.id for message in messages]


def test_production_connection_without_certificate_check_is_flagged() -> None:
    databases = {"default": {**APP, "OPTIONS": {"sslmode": "require"}}, "migrate": OWNER}

    assert _ids(databases) == ["fortresa.W301"]


def test_production_connection_with_verify_full_passes() -> None:
    databases = {"default": {**APP, "OPTIONS": {"sslmode": "verify-full"}}, "migrate": OWNER}

    assert _ids(databases) == []


def test_application_role_without_an_owner_connection_is_flagged() -> None:
    databases = {"default": {**APP, "OPTIONS": {"sslmode": "verify-full"}}}

    assert _ids(databases) == ["fortresa.W303"]


def test_a_single_owner_url_needs_no_owner_connection_beside_it() -> None:
    assert _ids({"default": OWNER}) == []


def test_web_processes_connecting_as_the_owner_are_flagged() -> None:
    owner = {**APP, "USER": "fortresa_owner", "OPTIONS": {"sslmode": "verify-full"}}

    assert _ids({"default": owner, "migrate": owner}) == ["fortresa.W302"]


def test_embedded_profile_is_not_flagged() -> None:
    assert _ids({"default": {"ENGINE": "django.db.backends.sqlite3"}}, profile="embedded") == []
