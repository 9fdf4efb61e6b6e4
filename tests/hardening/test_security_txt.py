"""/.well-known/security.txt follows RFC 9116 and is written from settings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def _fields(settings: Any) -> dict[str, list[str]]:
    response = Client().get("/.well-known/security.txt", secure=True)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    fields: dict[str, list[str]] = {}
    for line in response.content.decode().splitlines():
        name, _, value = line.partition(": ")
        fields.setdefault(name, []).append(value)
    return fields


def test_contacts_and_policy_come_from_settings(settings: Any) -> None:
    settings.FORTRESA_SECURITY_CONTACT = ["security@club.example", "https://club.example/report"]
    settings.FORTRESA_SECURITY_POLICY_URL = "https://club.example/disclosure"
    fields = _fields(settings)
    assert fields["Contact"] == ["mailto:security@club.example", "https://club.example/report"]
    assert fields["Policy"] == ["https://club.example/disclosure"]


def test_expiry_is_ahead_by_the_configured_days(settings: Any) -> None:
    settings.FORTRESA_SECURITY_TXT_DAYS = 90
    (expires,) = _fields(settings)["Expires"]
    moment = dt.datetime.strptime(expires, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    ahead = moment - timezone.now()
    assert dt.timedelta(days=89) < ahead <= dt.timedelta(days=90)


def test_languages_policy_and_canonical_default_to_the_site(settings: Any) -> None:
    settings.FORTRESA_SITE_URL = "https://courts.example"
    settings.FORTRESA_SECURITY_CONTACT = []
    settings.FORTRESA_SECURITY_EMAILS = []
    settings.FORTRESA_SECURITY_POLICY_URL = ""
    fields = _fields(settings)
    assert fields["Contact"] == ["mailto:security@courts.example"]
    assert fields["Policy"] == ["https://courts.example/security/disclosure/"]
    assert fields["Preferred-Languages"] == ["en, fr, de, nl, sv, zh-Hans"]
    assert fields["Canonical"] == ["https://courts.example/.well-known/security.txt"]


def test_disclosure_policy_page_is_served() -> None:
    response = Client().get("/security/disclosure/", secure=True)
    assert response.status_code == 200
    assert b"<h1>Reporting a security problem</h1>" in response.content
