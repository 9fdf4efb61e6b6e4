"""Every response carries the security headers: pages, errors, redirects, static files."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path

pytestmark = pytest.mark.smoke

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-XSS-Protection": "0",
}


def _assert_hardened(response: HttpResponse) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
        "form-action 'self'",
        "report-uri /csp-report/",
        "report-to csp-endpoint",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["Reporting-Endpoints"] == 'csp-endpoint="/csp-report/"'
    assert "Expect-CT" not in response.headers


def _boom(request: Any) -> HttpResponse:
    raise RuntimeError("a bug")


def _nonce_in_body(request: Any) -> HttpResponse:
    return HttpResponse(f"nonce={request.csp_nonce}", content_type="text/plain")


def _own_referrer_policy(request: Any) -> HttpResponse:
    response = HttpResponse("ok", content_type="text/plain")
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


urlpatterns = [
    path("boom/", _boom),
    path("nonce/", _nonce_in_body),
    path("own-referrer-policy/", _own_referrer_policy),
]


@pytest.mark.django_db
def test_page_carries_headers_and_hsts_over_https() -> None:
    response = Client().get("/accounts/login/", secure=True)
    assert response.status_code == 200
    _assert_hardened(response)
    assert (
        response.headers["Strict-Transport-Security"]
        == "max-age=63072000; includeSubDomains; preload"
    )


@pytest.mark.django_db
def test_not_found_page_carries_headers() -> None:
    response = Client().get("/no-such-page/", secure=True)
    assert response.status_code == 404
    _assert_hardened(response)
    assert b"Page not found" in response.content


@pytest.mark.django_db
def test_forged_host_gets_bad_request_with_headers() -> None:
    response = Client().get("/", HTTP_HOST="evil.example", secure=True)
    assert response.status_code == 400
    _assert_hardened(response)


@pytest.mark.django_db
def test_csrf_failure_is_forbidden_with_headers() -> None:
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {}, secure=True)
    assert response.status_code == 403
    _assert_hardened(response)


@pytest.mark.django_db
def test_redirect_carries_headers() -> None:
    response = Client().get("/ops/admin/", secure=True)
    assert response.status_code == 302
    _assert_hardened(response)


def test_static_file_carries_headers() -> None:
    response = Client().get("/static/fortresa/site.css", secure=True)
    assert response.status_code == 200
    _assert_hardened(response)


@pytest.mark.urls("tests.hardening.test_middleware")
def test_server_error_page_carries_headers() -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/boom/", secure=True)
    assert response.status_code == 500
    _assert_hardened(response)
    assert b"Something went wrong" in response.content


@pytest.mark.django_db
def test_each_response_gets_its_own_nonce_matching_the_page() -> None:
    client = Client()
    nonces = []
    for _ in range(2):
        response = client.get("/accounts/login/", secure=True)
        match = re.search(r"'nonce-([A-Za-z0-9_-]+)'", response.headers["Content-Security-Policy"])
        assert match is not None
        assert f'nonce="{match.group(1)}"'.encode() in response.content
        nonces.append(match.group(1))
    assert nonces[0] != nonces[1]


@pytest.mark.urls("tests.hardening.test_middleware")
def test_a_nonce_a_view_uses_is_the_one_its_policy_names() -> None:
    response = Client().get("/nonce/", secure=True)
    match = re.search(r"'nonce-([A-Za-z0-9_-]{22})'", response.headers["Content-Security-Policy"])
    assert match is not None
    assert response.content == f"nonce={match.group(1)}".encode()


def test_a_response_that_rendered_no_nonce_names_none_in_its_policy() -> None:
    response = Client().get("/static/fortresa/site.css", secure=True)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "nonce-" not in csp


@pytest.mark.django_db
def test_configured_payment_gateway_may_receive_forms(settings: Any) -> None:
    settings.FORTRESA_CSP_FORM_ACTION = ["https://pay.example.test", "https://psp.example:8443/"]
    response = Client().get("/accounts/login/", secure=True)
    assert (
        "form-action 'self' https://pay.example.test https://psp.example:8443;"
        in response.headers["Content-Security-Policy"]
    )


@pytest.mark.django_db
def test_plain_http_request_is_redirected_to_https(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/accounts/login/?next=/x")
    assert response.status_code == 301
    assert response.headers["Location"] == "https://testserver/accounts/login/?next=/x"
    _assert_hardened(response)


@pytest.mark.django_db
def test_hsts_is_sent_over_https_only(settings: Any) -> None:
    # Over plain HTTP a man in the middle could strip or forge it (RFC 6797).
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
    _assert_hardened(response)


@pytest.mark.django_db
def test_hsts_follows_the_settings(settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_HSTS_PRELOAD = False
    response = Client().get("/accounts/login/", secure=True)
    assert response.headers["Strict-Transport-Security"] == "max-age=3600; includeSubDomains"
    settings.SECURE_HSTS_SECONDS = 0
    response = Client().get("/accounts/login/", secure=True)
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.django_db
def test_plain_http_redirect_goes_to_the_configured_https_host(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_SSL_HOST = "secure.example.test"
    response = Client().get("/accounts/login/")
    assert response.status_code == 301
    assert response.headers["Location"] == "https://secure.example.test/accounts/login/"


@pytest.mark.django_db
def test_redirect_exempt_paths_are_answered_over_plain_http(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^accounts/login/$"]
    assert Client().get("/accounts/login/").status_code == 200
    assert Client().get("/accounts/password/reset/").status_code == 301


@pytest.mark.django_db
def test_plain_http_request_with_a_forged_host_is_refused_with_headers(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/accounts/login/", HTTP_HOST="evil.example.test")
    assert response.status_code == 400
    _assert_hardened(response)


@pytest.mark.urls("tests.hardening.test_middleware")
def test_a_header_the_view_chose_is_kept_and_the_others_are_added() -> None:
    response = Client().get("/own-referrer-policy/", secure=True)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Permissions-Policy" in response.headers
