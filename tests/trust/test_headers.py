"""The headers section is read from a real HTTPS request to the public address."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fortresa.trust.headers import cached_site_reading, refresh_site_reading
from fortresa.trust.providers.base import Status
from fortresa.trust.providers.transport import HeadersProvider
from tests.trust.site_server import write_certificate

pytestmark = pytest.mark.django_db


def _headers() -> object:
    return HeadersProvider().build(now=timezone.now())


def test_site_sending_every_header_and_strict_cookies_is_met(site):
    section = _headers()

    assert section.status == Status.MET, section.reasons
    facts = {fact.key: fact.value for fact in section.facts}
    assert facts["header:strict-transport-security"].startswith("max-age=63072000")
    assert facts["cookie:__Host-csrftoken"] == ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"]


def test_login_page_is_what_is_read(site):
    refresh_site_reading()

    assert site.paths == ["/accounts/login/"]


def test_server_banner_and_nonce_are_not_shown(site):
    section = _headers()

    shown = " ".join(str(fact.value) for fact in section.facts)
    assert "ExampleServer" not in shown
    assert "abc123" not in shown


def test_missing_content_security_policy_degrades(site):
    del site.headers["Content-Security-Policy"]

    section = _headers()

    assert section.status == Status.DEGRADED
    assert any("Content-Security-Policy" in str(reason) for reason in section.reasons)


def test_inline_scripts_allowed_by_the_policy_degrade(site):
    site.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self' 'unsafe-inline'"
    )

    assert _headers().status == Status.DEGRADED


def test_cookie_without_httponly_degrades(site):
    site.cookies = ["tracker=1; Path=/; Secure; SameSite=Lax"]

    section = _headers()

    assert section.status == Status.DEGRADED
    assert any("tracker" in str(reason) for reason in section.reasons)


def test_reading_is_kept_until_refreshed(site):
    _headers()
    site.headers.pop("Strict-Transport-Security")

    kept = _headers()
    refresh_site_reading()
    refreshed = _headers()

    assert kept.status == Status.MET
    assert refreshed.status == Status.DEGRADED


def test_unreachable_site_degrades(site, settings):
    site.stop()

    refresh_site_reading()

    reading = cached_site_reading()
    assert reading is not None
    assert not reading.ok
    assert _headers().status == Status.DEGRADED


def test_certificate_not_trusted_degrades(site, monkeypatch, tmp_path):
    other_ca, _cert, _key = write_certificate(tmp_path / "other", valid_for=dt.timedelta(days=9))
    monkeypatch.setenv("FORTRESA_STATUS_CA_FILE", str(other_ca))

    refresh_site_reading()

    reading = cached_site_reading()
    assert reading is not None
    assert reading.failure == "tls"
