"""What the account views share: the end of a sign-in, safe redirects, fresh sign-in."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from fortresa.accounts.conf import login_policy
from fortresa.accounts.events import record_security_event
from fortresa.accounts.guard import LoginGuard
from fortresa.accounts.middleware import SESSION_LANGUAGE_KEY
from fortresa.accounts.models import SecurityEvent, User
from fortresa.accounts.roles import is_privileged
from fortresa.accounts.session_tracking import SESSION_AUTHENTICATED_AT, SESSION_VERIFIED_AT
from fortresa.accounts.two_factor import has_second_factor
from fortresa.core.audit import record_event
from fortresa.core.request import client_ip

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def signed_in_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise TypeError("the view must require a signed-in user")
    return user


def safe_next(request: HttpRequest, candidate: object, default: str = "") -> str:
    url = candidate if isinstance(candidate, str) else ""
    if (
        url
        and len(url) < 2000
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return default or resolve_url(settings.LOGIN_REDIRECT_URL)


def set_language_cookie(response: HttpResponseBase, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=60 * 60 * 24 * 365,
        path="/",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite="Lax",
    )


def complete_sign_in(
    request: HttpRequest, user: User, *, second_factor: str | None, next_url: str
) -> HttpResponseRedirect:
    """Sign ``user`` in (a new session key), remember what they proved, and go on.

    A privileged user without a second factor goes straight to enrolment: they cannot
    reach a staff page before it anyway.
    """
    login(request, user, backend=MODEL_BACKEND)
    if second_factor is not None:
        request.session[SESSION_VERIFIED_AT] = time.time()
    request.session[SESSION_LANGUAGE_KEY] = user.preferred_language
    ip = client_ip(request)
    LoginGuard().succeeded(email=user.email)
    record_security_event(
        kind=SecurityEvent.Kind.LOGIN_SUCCEEDED,
        user=user,
        ip_address=ip,
        details={"second_factor": second_factor or ""},
    )
    record_event(
        action="auth.login",
        actor=user,
        target=f"user:{user.pk}",
        ip_address=ip,
        details={"second_factor": second_factor or ""},
    )
    if is_privileged(user) and not has_second_factor(user):
        next_url = reverse("accounts:two_factor_setup") + "?" + urlencode({"next": next_url})
    response = HttpResponseRedirect(next_url)
    set_language_cookie(response, user.preferred_language)
    return response


def recently_authenticated(request: HttpRequest) -> bool:
    """Whether the password (or a passkey) was proved within the re-authentication window."""
    at = request.session.get(SESSION_AUTHENTICATED_AT)
    window = login_policy().reauthentication_window.total_seconds()
    return isinstance(at, int | float) and 0 <= time.time() - at <= window
