"""The public page, its signed JSON form, the club admins' view and the club page link."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings as django_settings
from django.test import Client

from fortresa.clubs.models import Role
from fortresa.trust.signing import canonical_bytes
from tests.factories import make_club, make_membership, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
PUBLIC_KEY = re.compile(r'data-public-key="([A-Za-z0-9+/=]+)"')


def _published_key(client: Client) -> Ed25519PublicKey:
    page = client.get("/security/").content.decode()
    match = PUBLIC_KEY.search(page)
    assert match is not None
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(match.group(1)))


def test_security_page_is_public_and_shows_every_section(client, site):
    response = client.get("/security/")

    assert response.status_code == 200
    page = response.content.decode()
    for slug in ("transport", "headers", "backups", "database", "detection", "login",
                 "payments", "email", "patching", "availability", "organisation"):  # fmt: skip
        assert f'data-section="{slug}"' in page
    assert page.count("<h1>") == 1


@pytest.mark.parametrize("language", [code for code, _name in django_settings.LANGUAGES])
def test_security_page_renders_in_each_language(client, site, language):
    response = client.get("/security/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert f'<html lang="{language}"' in response.content.decode()


def test_json_signature_verifies_with_the_key_published_on_the_page(client, site):
    key = _published_key(client)

    envelope = client.get("/security.json").json()

    signature = base64.b64decode(envelope["signature"]["value"])
    key.verify(signature, canonical_bytes(envelope["document"]))
    assert envelope["signature"]["algorithm"] == "Ed25519"


def test_changed_document_no_longer_verifies(client, site):
    key = _published_key(client)
    envelope = client.get("/security.json").json()
    envelope["document"]["sections"][0]["status"] = (
        "met" if (envelope["document"]["sections"][0]["status"] != "met") else "degraded"
    )

    with pytest.raises(InvalidSignature):
        key.verify(
            base64.b64decode(envelope["signature"]["value"]),
            canonical_bytes(envelope["document"]),
        )


def test_signed_bytes_are_sorted_compact_utf8_json(client, site):
    document = client.get("/security.json").json()["document"]

    signed = canonical_bytes(document)

    assert (
        signed
        == json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )
    assert signed.startswith(b'{"generated_at":"')


def test_json_statuses_match_the_page(client, site):
    page = client.get("/security/").content.decode()
    document = client.get("/security.json").json()["document"]

    for section in document["sections"]:
        assert re.search(
            rf'data-section="{section["slug"]}".*?data-status="{section["status"]}"', page, re.S
        ), section["slug"]


def test_json_is_the_same_whatever_the_language(client, site):
    english = client.get("/security.json", HTTP_ACCEPT_LANGUAGE="en").json()["document"]
    french = client.get("/security.json", HTTP_ACCEPT_LANGUAGE="fr").json()["document"]

    assert [s["reasons"] for s in english["sections"]] == [s["reasons"] for s in french["sections"]]


def test_security_page_refuses_post(client, site):
    assert client.post("/security/").status_code == 405
    assert client.post("/security.json").status_code == 405


def _club_with_admin() -> tuple[Any, Any]:
    club = make_club()
    admin = make_membership(club, role=Role.ADMIN).user
    return club, admin


def test_club_admin_sees_their_clubs_facts(site):
    club, admin = _club_with_admin()
    client = sign_in(Client(), admin)

    response = client.get(f"/c/{club.slug}/manage/security/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-section="club_access"' in page
    assert 'data-section="club_payments"' in page
    assert 'data-section="backups"' in page


def test_club_staff_member_without_two_factor_degrades_the_admin_view(site):
    club, admin = _club_with_admin()
    make_membership(club, role=Role.STAFF)
    client = sign_in(Client(), admin)

    page = client.get(f"/c/{club.slug}/manage/security/").content.decode()

    assert re.search(r'data-section="club_access".*?data-status="degraded"', page, re.S)


@pytest.mark.parametrize("role", [Role.STAFF, Role.MEMBER])
def test_club_view_is_for_club_admins_only(site, role):
    club = make_club()
    user = make_membership(club, role=role).user
    client = sign_in(Client(), user)

    assert client.get(f"/c/{club.slug}/manage/security/").status_code == 403


def test_club_view_of_another_club_is_refused(site):
    _club, admin = _club_with_admin()
    other = make_club()
    client = sign_in(Client(), admin)

    assert client.get(f"/c/{other.slug}/manage/security/").status_code == 403


def test_club_view_asks_anonymous_visitors_to_sign_in(client, site):
    club = make_club()

    response = client.get(f"/c/{club.slug}/manage/security/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_unknown_club_is_404(site):
    _club, admin = _club_with_admin()
    client = sign_in(Client(), admin)

    assert client.get("/c/no-such-club/manage/security/").status_code == 404


def test_club_page_links_members_to_the_public_page_only(site):
    club = make_club()
    client = sign_in(Client(), make_membership(club).user)

    page = client.get(f"/c/{club.slug}/").content.decode()

    assert 'href="/security/"' in page
    assert f"/c/{club.slug}/manage/security/" not in page


def test_club_page_links_admins_to_their_clubs_view(site):
    club, admin = _club_with_admin()
    client = sign_in(Client(), admin)

    page = client.get(f"/c/{club.slug}/").content.decode()

    assert f'href="/c/{club.slug}/manage/security/"' in page
