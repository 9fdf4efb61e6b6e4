"""``/.well-known/security.txt`` (RFC 9116), written from settings at each request.

``Expires`` is always ahead: it is computed from today, so a deployment nobody touches
never serves a stale file. Contacts come from ``FORTRESA_SECURITY_CONTACT`` (``mailto:``
or ``https:`` URIs; a bare address gets ``mailto:``), else from the first of the
security team's alert addresses, else ``security@`` the site's host.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone


def contact_uris() -> list[str]:
    configured = (
        list(settings.FORTRESA_SECURITY_CONTACT)
        or list(getattr(settings, "FORTRESA_SECURITY_EMAILS", []))[:1]
    )
    if not configured:
        host = urlsplit(settings.FORTRESA_SITE_URL).hostname or "localhost"
        configured = [f"security@{host}"]
    return [
        value if value.startswith(("mailto:", "https://", "tel:")) else f"mailto:{value}"
        for value in configured
    ]


def policy_url() -> str:
    configured: str = settings.FORTRESA_SECURITY_POLICY_URL
    return configured or _site(reverse("hardening:disclosure_policy"))


def expires(now: dt.datetime | None = None) -> dt.datetime:
    today = (
        (now or timezone.now())
        .astimezone(dt.UTC)
        .replace(hour=0, minute=0, second=0, microsecond=0)
    )
    return today + dt.timedelta(days=settings.FORTRESA_SECURITY_TXT_DAYS)


def preferred_languages() -> str:
    return ", ".join(_language_tag(code) for code, _name in settings.LANGUAGES)


def security_txt(now: dt.datetime | None = None) -> str:
    lines = [f"Contact: {uri}" for uri in contact_uris()]
    lines += [
        f"Expires: {expires(now).strftime('%Y-%m-%dT%H:%M:%SZ')}",
        f"Policy: {policy_url()}",
        f"Preferred-Languages: {preferred_languages()}",
        f"Canonical: {_site(reverse('hardening:security_txt'))}",
    ]
    return "\n".join(lines) + "\n"


def _site(path: str) -> str:
    return settings.FORTRESA_SITE_URL.rstrip("/") + path


def _language_tag(code: str) -> str:
    # Django's "zh-hans" is BCP 47's "zh-Hans" (script subtags are title case).
    head, *rest = code.split("-")
    return "-".join([head, *(part.title() if len(part) == 4 else part.upper() for part in rest)])
