from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from ipaddress import ip_address
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fortresa.accounts.conf import login_policy
from fortresa.accounts.models import User
from fortresa.accounts.roles import is_privileged, is_privileged_fingerprint
from fortresa.accounts.session_tracking import SESSION_VERIFIED_AT, current_session_and_privileges
from fortresa.accounts.two_factor import has_second_factor
from fortresa.core.request import client_ip, session_holds

SESSION_LANGUAGE_KEY = "preferred_language"
# Staff pages: club administration, the operator console, staff actions in accounts.
STAFF_AREA = re.compile(r"^/(c/[-a-zA-Z0-9_]+/manage/|ops/|accounts/staff/)")
OPS_AREA = "/ops/"
ADMIN_LOGIN = "/ops/admin/login/"
# Written at most this often, so a busy page does not write a row per request.
LAST_SEEN_RESOLUTION = dt.timedelta(seconds=60)


class UserLanguageMiddleware:
    """Makes a signed-in user's preferred language win over the browser's.

    The login view stores the preference in the session; LocaleMiddleware, which runs
    next, reads the language cookie, so the preference is put there when the browser
    has no explicit choice of its own.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.cookie_name = settings.LANGUAGE_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = (
            request.session.get(SESSION_LANGUAGE_KEY)
            if session_holds(request, SESSION_LANGUAGE_KEY)
            else None
        )
        if (
            isinstance(language, str)
            and self.cookie_name not in request.COOKIES
            and translation.check_for_language(language)
        ):
            request.COOKIES[self.cookie_name] = language
        return self.get_response(request)


class SessionLifetimeMiddleware:
    """Ends sessions that were signed out elsewhere, idle too long or too old, and
    gives the session a new key whenever the user's privileges change."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = login_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Without a user id in the session Django's authentication middleware can only
        # give an anonymous user: skip loading it (most requests for static files,
        # health checks and public pages are anonymous).
        if not session_holds(request, SESSION_KEY):
            return self.get_response(request)
        if request.user.is_authenticated and isinstance(request.user, User):
            self._check(request, request.user)
        return self.get_response(request)

    def _check(self, request: HttpRequest, user: User) -> None:
        row, fingerprint = current_session_and_privileges(request)
        now = timezone.now()
        if row is None:
            logout(request)
            return
        privileged = is_privileged_fingerprint(fingerprint) or is_privileged_fingerprint(
            row.privileges
        )
        idle, absolute = (
            (self.policy.staff_session_idle, self.policy.staff_session_absolute)
            if privileged
            else (self.policy.member_session_idle, self.policy.member_session_absolute)
        )
        if now - row.last_seen_at > idle or now - row.created_at > absolute:
            logout(request)
            return
        changed: list[str] = []
        if fingerprint != row.privileges:
            # A role granted or taken away: a session key an attacker fixed or saw
            # before the change is worth nothing after it.
            request.session.cycle_key()
            row.privileges = fingerprint
            changed.append("privileges")
        if now - row.last_seen_at >= LAST_SEEN_RESOLUTION:
            row.last_seen_at = now
            row.ip_address = client_ip(request)
            changed += ["last_seen_at", "ip_address"]
        if changed:
            row.save(update_fields=changed)


def _redirect_with_next(url_name: str, request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(
        reverse(url_name) + "?" + urlencode({"next": request.get_full_path()})
    )


class StaffGateMiddleware:
    """Staff pages need two-factor: operators, club admins and staff are sent to enrol,
    then to prove their second factor in this session, then to renew an expired
    password, before any staff page. The operator console also needs an allowed source."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = login_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith(OPS_AREA):
            if not self._ops_source_allowed(request):
                return HttpResponseForbidden(
                    _("The operator console cannot be reached from this network.")
                )
            if path.startswith(ADMIN_LOGIN):
                # Django admin's own login would skip lockout and two-factor.
                return HttpResponseRedirect(
                    reverse("accounts:login")
                    + "?"
                    + urlencode({"next": request.GET.get("next", "/ops/admin/")})
                )
        if STAFF_AREA.match(path) and is_privileged(request.user):
            assert isinstance(request.user, User)  # noqa: S101 - is_privileged checked it
            blocked = self._gate(request, request.user)
            if blocked is not None:
                return blocked
        return self.get_response(request)

    def _ops_source_allowed(self, request: HttpRequest) -> bool:
        ip = client_ip(request)
        if ip is None:
            return False
        address = ip_address(ip)
        return any(address in network for network in self.policy.ops_allowed_networks)

    def _gate(self, request: HttpRequest, user: User) -> HttpResponse | None:
        if not has_second_factor(user):
            return _redirect_with_next("accounts:two_factor_setup", request)
        if not request.session.get(SESSION_VERIFIED_AT):
            return _redirect_with_next("accounts:verify", request)
        max_age = self.policy.staff_password_max_age
        if max_age is not None and timezone.now() - user.password_changed_at > max_age:
            return _redirect_with_next("accounts:password_change", request)
        return None
