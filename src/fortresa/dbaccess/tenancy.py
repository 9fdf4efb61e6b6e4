"""The tenant context that row-level security reads: the club and user of a transaction.

``SET LOCAL`` (``set_config(..., true)``) lasts until the transaction ends, so a pooled
or persistent connection never carries one request's club into the next. Outside a
transaction it would last one statement only, so setting it there is refused.

SQLite has no row-level security: there these helpers only open the transaction, and
the middleware passes requests through untouched.

Work that spans clubs (background tasks, management commands, operator pages) runs
under ``as_worker()``: over the worker role's connection (``FORTRESA_WORKER_DATABASE_URL``,
BYPASSRLS) in place of the application role's, when that alias is configured.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpRequest, HttpResponseBase

from fortresa.core.request import session_holds
from fortresa.dbaccess.config import WORKER_ALIAS
from fortresa.dbaccess.policy import CLUB_SETTING, USER_SETTING
from fortresa.dbaccess.postgresql.base import DatabaseWrapper as PostgreSQLWrapper
from fortresa.dbaccess.postgresql.base import request_connection, wrap_request_queries

# Operator pages: run as the worker role for staff (``accounts.middleware.OPS_AREA``).
OPERATOR_AREA = "/ops/"


class TenantContextError(RuntimeError):
    """The tenant context was set where it would not last (outside a transaction)."""


def _as_setting(value: int | None) -> str:
    return "" if value is None else str(int(value))


def set_tenant_context(
    *, club_id: int | None, user_id: int | None, using: str = DEFAULT_DB_ALIAS
) -> None:
    """Scope the current transaction to ``club_id`` and ``user_id`` (None clears one)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    if connection.get_autocommit():
        raise TenantContextError("set the tenant context inside transaction.atomic()")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, true), set_config(%s, %s, true)",
            [CLUB_SETTING, _as_setting(club_id), USER_SETTING, _as_setting(user_id)],
        )


def current_tenant_context(using: str = DEFAULT_DB_ALIAS) -> tuple[int | None, int | None]:
    """The (club_id, user_id) the current transaction is scoped to; (None, None) if unset."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return (None, None)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting(%s, true), current_setting(%s, true)",
            [CLUB_SETTING, USER_SETTING],
        )
        club, user = cursor.fetchone()
    return (int(club) if club else None, int(user) if user else None)


def scope_to_club(club_id: int | None, using: str = DEFAULT_DB_ALIAS) -> None:
    """Add the club to the current transaction's context, keeping its user.

    For pages whose club is not in the URL (a booking, a payment, an invitation token):
    call it once the page knows the club, inside the request's transaction.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.get_autocommit():
        return
    _club, user_id = current_tenant_context(using)
    set_tenant_context(club_id=club_id, user_id=user_id, using=using)


def scope_to_booking_club(booking_id: int, using: str = DEFAULT_DB_ALIAS) -> None:
    """Scope the transaction to a booking's club when the user is a member of that club.

    Staff reach a member's booking by its id alone; the database answers which club it
    belongs to only for a member of that club, and the page then checks the role there.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.get_autocommit():
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT fortresa_booking_club(%s)", [int(booking_id)])
        row = cursor.fetchone()
    if row is not None and row[0] is not None:
        scope_to_club(int(row[0]), using=using)


def scope_to_invitation_club(token_hash: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Scope the transaction to the club that an invitation link's token belongs to."""
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.get_autocommit():
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT fortresa_invitation_club(%s)", [token_hash])
        row = cursor.fetchone()
    if row is not None and row[0] is not None:
        scope_to_club(int(row[0]), using=using)


def scope_to_user(user_id: int | None, using: str = DEFAULT_DB_ALIAS) -> None:
    """Scope the current transaction to one user and no club.

    For pages without a session whose token names the member (calendar feed, e-mail
    preferences). Outside a transaction, or on SQLite, it does nothing.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.get_autocommit():
        return
    set_tenant_context(club_id=None, user_id=user_id, using=using)


def scope_user_on_login(sender: Any, user: Any = None, **_: Any) -> None:
    """``user_logged_in``: the rest of the sign-in request runs as that member."""
    if user is not None and user.pk is not None:
        scope_to_user(int(user.pk))


def worker_configured() -> bool:
    return WORKER_ALIAS in connections.settings


def worker_alias() -> str:
    """The alias for a lookup that must span clubs: the worker's when configured."""
    return WORKER_ALIAS if worker_configured() else DEFAULT_DB_ALIAS


@contextmanager
def as_worker() -> Iterator[str]:
    """Run the block over the worker role's connection in place of the default one.

    Every query, ``transaction.atomic()`` and ``select_for_update()`` that would use the
    default alias in this thread uses the worker alias's connection until the block ends.
    A no-op (yielding ``"default"``) when no worker alias is configured (the embedded
    default, a single ``DATABASE_URL``), and inside a transaction on the default
    connection: an eager task inside a request keeps the request's transaction, which
    the worker connection could not see into.
    """
    default = connections[DEFAULT_DB_ALIAS]
    if not worker_configured() or default.alias == WORKER_ALIAS or default.in_atomic_block:
        yield default.alias
        return
    handler_locals: Any = getattr(connections, "_connections")  # this thread's, by alias  # noqa: B009
    setattr(handler_locals, DEFAULT_DB_ALIAS, connections[WORKER_ALIAS])
    try:
        yield WORKER_ALIAS
    finally:
        setattr(handler_locals, DEFAULT_DB_ALIAS, default)


_task_scopes = threading.local()


def enter_worker_scope_for_task(task_id: str | None = None, **_: Any) -> None:
    """Celery ``task_prerun``: the task runs as the worker role."""
    stack = ExitStack()
    stack.enter_context(as_worker())
    scopes: dict[str | None, ExitStack] = getattr(_task_scopes, "scopes", {})
    scopes[task_id] = stack
    _task_scopes.scopes = scopes


def leave_worker_scope_for_task(task_id: str | None = None, **_: Any) -> None:
    """Celery ``task_postrun``: back to the connection the thread had."""
    scopes: dict[str | None, ExitStack] = getattr(_task_scopes, "scopes", {})
    stack = scopes.pop(task_id, None)
    if stack is not None:
        stack.close()


@contextmanager
def tenant_scope(
    *, club_id: int | None, user_id: int | None = None, using: str = DEFAULT_DB_ALIAS
) -> Iterator[None]:
    """Run the block in a transaction scoped to one club (and optionally one user).

    For background jobs and services working for one club under the application role.
    """
    with transaction.atomic(using=using):
        set_tenant_context(club_id=club_id, user_id=user_id, using=using)
        yield


def _request_transaction(connection: Any) -> AbstractContextManager[Any]:
    """The request's transaction: on Fortresa's PostgreSQL backend, begun at first use.

    Another PostgreSQL backend (a hand-written ``DATABASES`` entry) gets Django's
    ``atomic()`` at once, so the request still runs in one transaction.
    """
    if isinstance(connection, PostgreSQLWrapper):
        return connection.request_transaction()
    return transaction.atomic(using=str(connection.alias))


# Club pages live under /c/<club-slug>/ (a stable URL scheme, see DESIGN.md).
CLUB_PAGE = re.compile(r"^/c/(?P<slug>[-a-zA-Z0-9_]+)/")


class TenantContextMiddleware:
    """Scope each request's transaction to the signed-in user and the club in its URL.

    On PostgreSQL the request runs in one transaction (as with ``ATOMIC_REQUESTS``, but
    begun when the request first uses the connection: ``fortresa.dbaccess.postgresql``),
    scoped to the user, and to the club once the URL resolves to a view with a ``slug``
    argument; the context is sent with the request's first query (none for a request
    that makes none). Operators (staff) on the operator pages (``/ops/``) run as the worker role
    instead. Must come after ``AuthenticationMiddleware``. On SQLite (no row-level
    security) requests pass through untouched.
    """

    club_kwarg = "slug"
    # Answered without the database (the liveness probe): no transaction to scope.
    exempt_paths = ("/healthz",)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.postgresql = connections[DEFAULT_DB_ALIAS].vendor == "postgresql"

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not self.postgresql or request.path_info in self.exempt_paths:
            return self.get_response(request)
        if self._is_operator_page(request):
            with as_worker():
                return self._scoped(request)
        return self._scoped(request)

    def _scoped(self, request: HttpRequest) -> HttpResponseBase:
        # The signed-in user is loaded before the transaction opens: reading it inside
        # the first query's wrapper, while that query is itself the user's load, would
        # load the user a second time. A session without a user id loads nothing.
        pending = _PendingContext(request)
        if session_holds(request, SESSION_KEY):
            self._user_id(request)
            # A signed-in request's first query (its session check) runs before the
            # view is resolved. Club pages name their club in the path (``/c/<slug>/``),
            # so that first context statement carries the club too, and the view's own
            # slug (``process_view``) confirms it without a second one.
            club_page = CLUB_PAGE.match(request.path_info)
            if club_page is not None:
                pending.club_slug = club_page["slug"]
        request._fortresa_tenant_context = pending  # type: ignore[attr-defined]
        connection = request_connection()
        # Opened on the connection's first use (``fortresa.dbaccess.postgresql``): a
        # request that never reaches the database costs no transaction.
        with _request_transaction(connection), wrap_request_queries(pending):
            return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        slug = view_kwargs.get(self.club_kwarg)
        pending = getattr(request, "_fortresa_tenant_context", None)
        if isinstance(pending, _PendingContext):
            # A view without a club argument is scoped to no club, whatever its path.
            pending.scope_to_club_slug(slug if isinstance(slug, str) else None)

    @staticmethod
    def _is_operator_page(request: HttpRequest) -> bool:
        if not request.path_info.startswith(OPERATOR_AREA):
            return False
        user = getattr(request, "user", None)
        return bool(
            user is not None
            and user.is_authenticated
            and user.is_active
            and (user.is_staff or user.is_superuser)
        )

    @staticmethod
    def _user_id(request: HttpRequest) -> int | None:
        session = getattr(request, "session", None)
        if session is not None and session.session_key is None:
            # The browser sent no session and nobody signed in during the request
            # (signing in gives the session a key): anonymous, without opening it.
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return int(user.pk)


class _PendingContext:
    """The request's tenant context, sent with its first query rather than up front.

    A request that makes no query (a static file, a cached page) costs no round trip;
    one that does pays a single ``set_config`` statement that also looks its club up by
    slug. The user is read when that first query runs (the session may be loaded by
    then); a club found later (``process_view``), or a different one, is sent before
    the next query.
    """

    _SQL = (
        "SELECT set_config(%s, COALESCE((SELECT c.id::text FROM clubs_club c"
        " WHERE c.slug = %s), ''), true), set_config(%s, %s, true)"
    )

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.club_slug: str | None = None
        self.dirty = True
        self.busy = False

    def scope_to_club_slug(self, slug: str | None) -> None:
        if slug != self.club_slug:
            self.club_slug = slug
            self.dirty = True

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        if self.dirty and not self.busy:
            self.busy = True  # reading request.user may query: let that through
            try:
                user_id = TenantContextMiddleware._user_id(self.request)
                context["connection"].connection.execute(
                    self._SQL,
                    [CLUB_SETTING, self.club_slug, USER_SETTING, _as_setting(user_id)],
                )
                self.dirty = False
            finally:
                self.busy = False
        return execute(sql, params, many, context)
