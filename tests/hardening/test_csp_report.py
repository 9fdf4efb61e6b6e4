"""/csp-report/ stores both report formats, bounded in size and rate, and never fails."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from fortresa.hardening.models import CspReport
from fortresa.hardening.reports import MAX_BODY_BYTES

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

URL = "/csp-report/"
REPORT_URI_BODY = {
    "csp-report": {
        "document-uri": "https://localhost:8443/accounts/login/",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "blocked-uri": "https://evil.example/x.js",
        "source-file": "https://localhost:8443/accounts/login/",
        "line-number": 12,
        "disposition": "enforce",
        "original-policy": "default-src 'none'",
    }
}
REPORTING_API_BODY = [
    {
        "type": "csp-violation",
        "age": 10,
        "url": "https://localhost:8443/c/demo/day/",
        "user_agent": "Chromium",
        "body": {
            "documentURL": "https://localhost:8443/c/demo/day/",
            "effectiveDirective": "img-src",
            "blockedURL": "https://tracker.example/p.gif",
            "disposition": "enforce",
            "lineNumber": 3,
            "sample": "",
        },
    },
    {"type": "deprecation", "body": {"id": "x"}},
]


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def _post(body: Any, content_type: str, **extra: Any) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Client().post(URL, data, content_type=content_type, secure=True, **extra)


def test_report_uri_format_is_stored() -> None:
    response = _post(REPORT_URI_BODY, "application/csp-report", HTTP_USER_AGENT="Firefox")
    assert response.status_code == 204
    report = CspReport.objects.get()
    assert report.format == "report-uri"
    assert report.effective_directive == "script-src-elem"
    assert report.blocked_uri == "https://evil.example/x.js"
    assert report.line_number == 12
    assert report.user_agent == "Firefox"
    assert report.ip_address == "127.0.0.1"


def test_reporting_api_format_stores_only_csp_violations() -> None:
    response = _post(REPORTING_API_BODY, "application/reports+json")
    assert response.status_code == 204
    report = CspReport.objects.get()
    assert report.format == "reporting-api"
    assert report.document_uri == "https://localhost:8443/c/demo/day/"
    assert report.blocked_uri == "https://tracker.example/p.gif"
    assert report.line_number == 3


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b"{}",
        b'{"csp-report": "x"}',
        b"\xff\xfe",
        b'[{"type": "csp-violation"}]',
    ],
)
def test_malformed_report_is_rejected_and_not_stored(body: bytes) -> None:
    response = _post(body, "application/reports+json")
    assert response.status_code == 400
    assert not CspReport.objects.exists()


def test_other_content_type_is_unsupported() -> None:
    response = _post(REPORT_URI_BODY, "text/plain")
    assert response.status_code == 415
    assert not CspReport.objects.exists()


def test_oversized_report_is_refused() -> None:
    big = {"csp-report": {"blocked-uri": "x" * (MAX_BODY_BYTES + 1)}}
    response = _post(big, "application/csp-report")
    assert response.status_code == 413
    assert not CspReport.objects.exists()


def test_long_fields_are_cut_to_their_column() -> None:
    body = {"csp-report": {"blocked-uri": "https://x.example/" + "a" * 2000}}
    assert _post(body, "application/csp-report").status_code == 204
    assert len(CspReport.objects.get().blocked_uri) == 500


def test_get_is_not_allowed() -> None:
    assert Client().get(URL, secure=True).status_code == 405


def test_sender_over_budget_is_told_to_slow_down(settings: Any) -> None:
    settings.FORTRESA_CSP_REPORTS_PER_MINUTE = 3
    statuses = [_post(REPORT_URI_BODY, "application/csp-report").status_code for _ in range(5)]
    assert statuses == [204, 204, 204, 429, 429]
    assert CspReport.objects.count() == 3


def test_budget_is_per_sender(settings: Any) -> None:
    settings.FORTRESA_CSP_REPORTS_PER_MINUTE = 1
    first = _post(REPORT_URI_BODY, "application/csp-report", REMOTE_ADDR="192.0.2.1")
    second = _post(REPORT_URI_BODY, "application/csp-report", REMOTE_ADDR="192.0.2.2")
    assert (first.status_code, second.status_code) == (204, 204)
