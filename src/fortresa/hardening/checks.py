"""Fortresa's own deployment checks (``fortresa check``), each with a stable code.

They run with Django's ``check --deploy`` checks. In production ``fortresa check`` fails
on any warning, so a weakened setting stops a deployment instead of shipping quietly.

- ``fortresa.W001`` HSTS off or shorter than a year.
- ``fortresa.W002`` HSTS without ``includeSubDomains``.
- ``fortresa.W003`` ``DEBUG`` on.
- ``fortresa.W004`` ``SECRET_KEY`` missing, short, or a placeholder.
- ``fortresa.W005`` ``FORTRESA_TLS_POLICY`` not a supported TLS policy.
- ``fortresa.W006`` the server certificate is unreadable, weak or about to expire.
- ``fortresa.W007`` a ``SECURE_*``/framing header setting weaker than Fortresa's.
- ``fortresa.W008`` a session, CSRF or language cookie without ``__Host-``/Secure/HttpOnly.
- ``fortresa.W009`` ``FORTRESA_CSP_FORM_ACTION`` names something other than https origins.
- ``fortresa.W010`` no security contact for ``security.txt`` in production.
- ``fortresa.W011`` ``ALLOWED_HOSTS`` empty or a wildcard in production.
- ``fortresa.W012`` the security header middleware is missing or not first.
- ``fortresa.W013`` plain HTTP requests are not redirected to HTTPS in production.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning
from django.core.exceptions import ImproperlyConfigured

from fortresa.hardening.certificates import certificate_problems
from fortresa.hardening.csp import origin_of
from fortresa.hardening.tls_policy import TLS_POLICIES

ONE_YEAR = 365 * 24 * 3600
HEADER_MIDDLEWARE = "fortresa.hardening.middleware.SecurityHeadersMiddleware"
EXPECTED_SECURE_SETTINGS: dict[str, object] = {
    "SECURE_CONTENT_TYPE_NOSNIFF": True,
    "SECURE_REFERRER_POLICY": "strict-origin-when-cross-origin",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
    "X_FRAME_OPTIONS": "DENY",
}
COOKIES = ("SESSION", "CSRF", "LANGUAGE")


def _warn(code: str, message: str, hint: str) -> CheckWarning:
    return CheckWarning(message, hint=hint, id=f"fortresa.{code}")


def _production() -> bool:
    return getattr(settings, "PROFILE", "") == "production"


@register(Tags.security, deploy=True)
def check_hsts(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    seconds = settings.SECURE_HSTS_SECONDS or 0
    if seconds < ONE_YEAR:
        messages.append(
            _warn(
                "W001",
                f"HSTS max-age is {seconds} s: browsers would fall back to plain HTTP.",
                "Leave FORTRESA_HSTS_SECONDS at its default (63072000, two years).",
            )
        )
    if seconds and not settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
        messages.append(
            _warn(
                "W002",
                "HSTS does not cover subdomains.",
                "Set SECURE_HSTS_INCLUDE_SUBDOMAINS = True.",
            )
        )
    return messages


@register(Tags.security, deploy=True)
def check_debug(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if not settings.DEBUG:
        return []
    return [
        _warn(
            "W003",
            "DEBUG is on: error pages would show settings, code and members' data.",
            "Unset FORTRESA_DEBUG.",
        )
    ]


@register(Tags.security, deploy=True)
def check_secret_key(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    try:
        key = str(settings.SECRET_KEY or "")
    except ImproperlyConfigured:  # Django refuses to hand out an empty key
        key = ""
    weak = (
        len(key) < 50
        or len(set(key)) < 5
        or key.startswith("django-insecure")
        or key.lower() in {"change-me", "changeme", "secret"}
    )
    if not weak:
        return []
    return [
        _warn(
            "W004",
            "SECRET_KEY is missing, short or a placeholder: sessions and tokens could be forged.",
            "Give FORTRESA_SECRET_KEY (or FORTRESA_SECRET_KEY_FILE) 50+ random characters.",
        )
    ]


@register(Tags.security, deploy=True)
def check_tls(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    policy = getattr(settings, "FORTRESA_TLS_POLICY", "intermediate")
    if policy not in TLS_POLICIES:
        messages.append(
            _warn(
                "W005",
                f"FORTRESA_TLS_POLICY={policy!r} is not a supported TLS policy.",
                f"Use one of: {', '.join(TLS_POLICIES)}.",
            )
        )
    problems = certificate_problems(settings.TLS_CERT, settings.TLS_KEY, required=_production())
    messages += [
        _warn(
            "W006",
            f"Server certificate {settings.TLS_CERT}: {problem}",
            "Serve a certificate with a 2048-bit RSA or P-256 key, signed with SHA-256, "
            "renewed before it expires (then send the server SIGHUP).",
        )
        for problem in problems
    ]
    return messages


@register(Tags.security, deploy=True)
def check_secure_settings(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    return [
        _warn(
            "W007",
            f"{name} is {getattr(settings, name, None)!r}, weaker than {expected!r}.",
            f"Set {name} = {expected!r} (Fortresa's default).",
        )
        for name, expected in EXPECTED_SECURE_SETTINGS.items()
        if getattr(settings, name, None) != expected
    ]


@register(Tags.security, deploy=True)
def check_cookies(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for prefix in COOKIES:
        name = str(getattr(settings, f"{prefix}_COOKIE_NAME", ""))
        problems = []
        if not name.startswith("__Host-"):
            problems.append("its name lacks the __Host- prefix")
        if not getattr(settings, f"{prefix}_COOKIE_SECURE", False):
            problems.append("it is not Secure")
        if not getattr(settings, f"{prefix}_COOKIE_HTTPONLY", False):
            problems.append("it is not HttpOnly")
        if getattr(settings, f"{prefix}_COOKIE_SAMESITE", None) not in ("Lax", "Strict"):
            problems.append("it has no SameSite=Lax or Strict")
        if getattr(settings, f"{prefix}_COOKIE_DOMAIN", None):
            problems.append("it names a Domain")
        if problems:
            messages.append(
                _warn(
                    "W008",
                    f"The {prefix.lower()} cookie {name!r}: {'; '.join(problems)}.",
                    f"Keep Fortresa's {prefix}_COOKIE_* settings.",
                )
            )
    return messages


@register(Tags.security, deploy=True)
def check_form_action(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for value in getattr(settings, "FORTRESA_CSP_FORM_ACTION", []):
        try:
            origin_of(value)
        except ImproperlyConfigured as exc:
            messages.append(
                _warn("W009", str(exc), "List https origins only, separated by commas.")
            )
    return messages


@register(Tags.security, deploy=True)
def check_security_contact(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if not _production() or getattr(settings, "FORTRESA_SECURITY_CONTACT", []):
        return []
    return [
        _warn(
            "W010",
            "No security contact: security.txt would point researchers nowhere useful.",
            "Set FORTRESA_SECURITY_CONTACT=mailto:security@your-domain (RFC 9116).",
        )
    ]


@register(Tags.security, deploy=True)
def check_allowed_hosts(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    hosts = list(settings.ALLOWED_HOSTS)
    if not _production() or (hosts and "*" not in hosts):
        return []
    return [
        _warn(
            "W011",
            "ALLOWED_HOSTS is empty or '*': forged Host headers would reach the site.",
            "Set FORTRESA_ALLOWED_HOSTS to the site's own names.",
        )
    ]


@register(Tags.security, deploy=True)
def check_header_middleware(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    installed = list(settings.MIDDLEWARE)
    if installed and installed[0] == HEADER_MIDDLEWARE:
        return []
    return [
        _warn(
            "W012",
            "The security header middleware is not first in MIDDLEWARE: redirects, static "
            "files or errors from the middleware above it would lack CSP and the other headers.",
            f"Put {HEADER_MIDDLEWARE} first in MIDDLEWARE.",
        )
    ]


@register(Tags.security, deploy=True)
def check_https_redirect(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if not _production() or settings.SECURE_SSL_REDIRECT:
        return []
    return [
        _warn(
            "W013",
            "SECURE_SSL_REDIRECT is off: a request over plain HTTP would be answered as is.",
            "Keep SECURE_SSL_REDIRECT = True (Fortresa's default outside the test profile).",
        )
    ]
