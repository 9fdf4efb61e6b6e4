"""Signed-in sessions the server can list, time out and end.

Django's ``login`` may be called by other apps (joining a club signs the new member
in), so the ``user_logged_in`` signal is the one place every sign-in passes: it opens a
``UserSession`` row and stores its id in the session. The middleware then accepts the
session only while that row is live.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models import F, FilteredRelation, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from fortresa.accounts.models import User, UserSession
from fortresa.accounts.roles import UNPRIVILEGED_ROLE, fingerprint_of, privilege_fingerprint
from fortresa.core.request import client_ip

SESSION_ROW = "_fortresa_session"
# When the password (or a passkey) was last proved in this session.
SESSION_AUTHENTICATED_AT = "_fortresa_authenticated_at"
# When a second factor was last proved in this session.
SESSION_VERIFIED_AT = "_fortresa_verified_at"
# Password accepted, second factor awaited: {"user": id, "at": epoch, "next": url}.
SESSION_PENDING = "_fortresa_pending"


def _user_agent(request: HttpRequest) -> str:
    return str(request.META.get("HTTP_USER_AGENT", ""))[:300]


def open_session(request: HttpRequest, user: User) -> UserSession:
    now = timezone.now()
    row = UserSession.objects.create(
        user=user,
        created_at=now,
        last_seen_at=now,
        ip_address=client_ip(request),
        user_agent=_user_agent(request),
        privileges=privilege_fingerprint(user),
    )
    request.session[SESSION_ROW] = row.pk
    request.session[SESSION_AUTHENTICATED_AT] = now.timestamp()
    return row


def _open_rows(request: HttpRequest) -> QuerySet[UserSession] | None:
    """The request's session row while it is open, or None without a signed-in session."""
    row_id = request.session.get(SESSION_ROW)
    if not isinstance(row_id, int) or not request.user.is_authenticated:
        return None
    return UserSession.objects.filter(pk=row_id, user_id=request.user.pk, ended_at__isnull=True)


def current_session(request: HttpRequest) -> UserSession | None:
    rows = _open_rows(request)
    return None if rows is None else rows.first()


def current_session_and_privileges(request: HttpRequest) -> tuple[UserSession | None, str]:
    """The request's session row and its user's privilege fingerprint, in one query.

    Every signed-in request needs both (``SessionLifetimeMiddleware``): the row is read
    with the user's roles other than member joined to it, one result row per such role.
    """
    rows = _open_rows(request)
    user = request.user
    if rows is None or not isinstance(user, User):
        return None, ""
    found = list(
        rows.annotate(
            held=FilteredRelation(
                "user__memberships", condition=~Q(user__memberships__role=UNPRIVILEGED_ROLE)
            ),
            held_club=F("held__club_id"),
            held_role=F("held__role"),
        )
    )
    if not found:
        return None, ""
    roles = [(row.held_club, row.held_role) for row in found if row.held_club is not None]
    return found[0], fingerprint_of(user, roles)


def _on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        open_session(request, user)


def _on_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if request is None or user is None or not hasattr(request, "session"):
        return
    row_id = request.session.get(SESSION_ROW)
    if isinstance(row_id, int):
        UserSession.objects.filter(pk=row_id, user=user).update(ended_at=timezone.now())


def connect_signals() -> None:
    user_logged_in.connect(_on_login, dispatch_uid="fortresa.accounts.open_session")
    user_logged_out.connect(_on_logout, dispatch_uid="fortresa.accounts.end_session")
