"""The transport section follows the certificate file and HSTS setting actually in use."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from fortresa.trust.providers.base import Status
from fortresa.trust.providers.transport import TransportProvider
from tests.trust.site_server import write_certificate

pytestmark = pytest.mark.django_db


def _transport(settings: Any, tmp_path: Path, *, valid_for: dt.timedelta) -> Any:
    _ca, cert, key = write_certificate(tmp_path / "tls", valid_for=valid_for)
    settings.TLS_CERT, settings.TLS_KEY = str(cert), str(key)
    return TransportProvider().build(now=timezone.now())


def test_certificate_valid_for_months_is_met(settings, tmp_path, site):
    section = _transport(settings, tmp_path, valid_for=dt.timedelta(days=90))

    assert section.status == Status.MET
    facts = {fact.key: fact.value for fact in section.facts}
    assert facts["tls_versions"] == ["TLS 1.2", "TLS 1.3"]
    assert facts["certificate_expires_at"] > timezone.now() + dt.timedelta(days=89)


def test_certificate_expiring_within_three_weeks_degrades(settings, tmp_path, site):
    section = _transport(settings, tmp_path, valid_for=dt.timedelta(days=10))

    assert section.status == Status.DEGRADED
    assert "expires in less than three weeks" in str(section.reasons[0])


def test_expired_certificate_degrades(settings, tmp_path, site):
    section = _transport(settings, tmp_path, valid_for=dt.timedelta(minutes=-1))

    assert section.status == Status.DEGRADED
    assert "has expired" in str(section.reasons[0])


def test_hsts_shorter_than_a_year_degrades(settings, tmp_path, site):
    settings.SECURE_HSTS_SECONDS = 3600

    section = _transport(settings, tmp_path, valid_for=dt.timedelta(days=90))

    assert section.status == Status.DEGRADED
    assert any("HSTS" in str(reason) for reason in section.reasons)


def test_modern_policy_accepts_tls_1_3_only(settings, tmp_path, site):
    settings.FORTRESA_TLS_POLICY = "modern"

    section = _transport(settings, tmp_path, valid_for=dt.timedelta(days=90))

    assert {f.key: f.value for f in section.facts}["tls_versions"] == ["TLS 1.3"]


def test_negotiated_protocol_comes_from_the_real_connection(settings, tmp_path, site):
    section = _transport(settings, tmp_path, valid_for=dt.timedelta(days=90))

    assert {f.key: f.value for f in section.facts}["negotiated_protocol"] in ("TLSv1.2", "TLSv1.3")
