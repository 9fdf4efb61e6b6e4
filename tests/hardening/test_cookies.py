"""Cookies: __Host- prefix, Secure, HttpOnly, SameSite, Path=/ and no Domain."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.smoke


@pytest.mark.django_db
def test_sign_in_sets_only_host_prefixed_secure_http_only_cookies() -> None:
    user = make_user()
    client = Client()
    client.get("/accounts/login/", secure=True)
    response = client.post(
        "/accounts/login/",
        {"username": user.email, "password": PASSWORD},
        secure=True,
    )
    assert response.status_code == 302
    assert client.cookies, "sign-in set no cookie"
    for name, morsel in client.cookies.items():
        assert name.startswith("__Host-"), name
        assert morsel["secure"], name
        assert morsel["httponly"], name
        assert morsel["samesite"] in ("Lax", "Strict"), name
        assert morsel["path"] == "/", name
        assert not morsel["domain"], name
