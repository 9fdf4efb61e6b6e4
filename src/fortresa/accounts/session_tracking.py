"""Signed-in sessions the server can list, time out and end.

Django's ``login`` may be called by other apps (joining a club signs the new member
in), so the ``user_logged_in`` signal is the one place every sign-in passes: it opens a
``UserSession`` row and stores its id in the session. The middleware then accepts the
session only while that row is live.
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import connection
from django.db.models import Field, Model
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


def current_session(request: HttpRequest) -> UserSession | None:
    return current_session_and_privileges(request)[0]


@cache
def _session_and_privileges_sql() -> str:
    """The open session row with its user's roles other than member left-joined to it.

    Written out rather than built by the ORM: compiling the equivalent queryset (a
    filtered relation through the user) cost several times the query itself, on every
    signed-in request.
    """
    quote = connection.ops.quote_name
    membership = User._meta.get_field("memberships").related_model

    def column(model: type[Model], name: str) -> str:
        return quote(str(cast(Field[Any, Any], model._meta.get_field(name)).column))

    m_user, m_club, m_role = (column(membership, name) for name in ("user", "club", "role"))
    s_id, s_user, s_ended = (column(UserSession, name) for name in ("id", "user", "ended_at"))
    session = UserSession._meta
    columns = ", ".join(f"s.{quote(str(field.column))}" for field in session.concrete_fields)
    # Names from the models; every value is a parameter.
    return (
        f"SELECT {columns}, m.{m_club} AS held_club, m.{m_role} AS held_role"  # noqa: S608
        f" FROM {quote(session.db_table)} s LEFT JOIN {quote(membership._meta.db_table)} m"
        f" ON m.{m_user} = s.{s_user} AND m.{m_role} <> %s"
        f" WHERE s.{s_id} = %s AND s.{s_user} = %s AND s.{s_ended} IS NULL"
    )


def current_session_and_privileges(request: HttpRequest) -> tuple[UserSession | None, str]:
    """The request's session row and its user's privilege fingerprint, in one query.

    Every signed-in request needs both (``SessionLifetimeMiddleware``): the row is read
    with the user's roles other than member joined to it, one result row per such role.
    """
    row_id = request.session.get(SESSION_ROW)
    user = request.user
    if not isinstance(row_id, int) or not isinstance(user, User) or not user.is_authenticated:
        return None, ""
    found = list(
        UserSession.objects.raw(_session_and_privileges_sql(), [UNPRIVILEGED_ROLE, row_id, user.pk])
    )
    if not found:
        return None, ""
    roles = [
        (row.held_club, row.held_role)  # type: ignore[attr-defined]
        for row in found
        if row.held_club is not None  # type: ignore[attr-defined]
    ]
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
