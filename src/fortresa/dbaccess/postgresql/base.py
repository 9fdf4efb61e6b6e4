"""Django's PostgreSQL backend, plus a request transaction that opens on first use.

Every request on PostgreSQL runs in one transaction scoped to its user and club
(``fortresa.dbaccess.tenancy``). Opening and closing Django's ``atomic()`` costs as much
as all the other security layers together on a page that never reaches the database (a
login form, an anonymous page, a CSP report refused before it is stored), so the request
transaction is *deferred*: ``request_transaction()`` notes it, and it opens the first
time anything uses the connection:

- a query, or anything else that needs the connection (``ensure_connection`` and the
  health check before it);
- a view's own ``transaction.atomic()`` (it then nests as a savepoint, as before), a
  durable block (refused inside the request's, as before), ``on_commit``, ``set_rollback``
  and every other check of ``in_atomic_block`` or ``atomic_blocks``;
- ``get_autocommit()`` (what ``select_for_update`` asks before it runs).

So from the view's side nothing changed: whatever it does runs in the one transaction,
and its ``on_commit`` callbacks run when the request's transaction commits. A request
that never uses the connection costs no transaction and no health check at all.

The backend also spares a connection in steady use Django's health check: a connection
that ended a request's transaction less than ``HEALTH_CHECK_AFTER_IDLE_SECONDS`` ago,
and that its client still reports open and idle, is taken as healthy. One idle longer
(when a database restart may have gone unseen) is checked as before.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextvars import ContextVar, Token
from types import TracebackType
from typing import Any

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.postgresql import base

# The connection whose request transaction is under way in this thread, if any.
_request_connection: ContextVar[DatabaseWrapper | None] = ContextVar(
    "fortresa_request_connection", default=None
)
# The default alias's connection as Django's request_started handler (close_old_connections)
# last checked it in this thread: how the tenant middleware finds it without a second
# lookup in Django's connection handler, about 2 us a request (``request_connection``).
_checked = threading.local()
# A persistent connection that ended a request this recently, and that its client still
# reports open and idle, is not health-checked again (``CONN_HEALTH_CHECKS``).
HEALTH_CHECK_AFTER_IDLE_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    # Set before Django's __init__, whose assignments already go through the properties.
    # A request transaction is waiting for its first use (its atomic() is made then).
    _deferred = False
    _opened: transaction.Atomic | None = None
    # Query wrappers waiting for the deferred transaction: installed when it opens.
    _waiting: list[Callable[..., Any]] | None = None
    _last_used: tuple[Any, float] | None = None

    @property
    def in_atomic_block(self) -> bool:
        if self._deferred:
            self._open_deferred()
        return self._in_atomic_block

    @in_atomic_block.setter
    def in_atomic_block(self, value: bool) -> None:
        self._in_atomic_block = value

    @property
    def atomic_blocks(self) -> list[transaction.Atomic]:
        if self._deferred:
            self._open_deferred()
        return self._atomic_blocks

    @atomic_blocks.setter
    def atomic_blocks(self, value: list[transaction.Atomic]) -> None:
        self._atomic_blocks = value

    def close_if_health_check_failed(self) -> None:
        # A query's first step: the transaction opens (and trusts a connection in steady
        # use) before Django would check the connection.
        if self._deferred:
            self._open_deferred()
        super().close_if_health_check_failed()

    def ensure_connection(self) -> None:
        if self._deferred:
            self._open_deferred()
        super().ensure_connection()

    def get_autocommit(self) -> bool:
        if self._deferred:
            self._open_deferred()
        return bool(super().get_autocommit())

    def close_if_unusable_or_obsolete(self) -> None:
        super().close_if_unusable_or_obsolete()
        if self.alias == DEFAULT_DB_ALIAS:
            _checked.connection = self

    def close(self) -> None:
        # Closing is not a use: a deferred transaction stays deferred, and opens on the
        # next connection if the request goes on to use one.
        deferred, self._deferred = self._deferred, False
        try:
            super().close()
        finally:
            self._deferred = deferred

    def request_transaction(self) -> RequestTransaction:
        """The request's transaction on this connection, opened when first used.

        Query wrappers asked for inside it (``wrap_request_queries``) are installed when
        it opens, so a request that makes no query installs none.
        """
        return RequestTransaction(self)

    def _open_deferred(self) -> None:
        self._deferred = False
        atomic = transaction.atomic(using=self.alias)
        self._trust_recently_used()
        atomic.__enter__()
        self._opened = atomic
        waiting, self._waiting = self._waiting, None
        if waiting:
            # After the wrappers installed before the request: the order they would have
            # had had each been installed when it asked.
            self.execute_wrappers.extend(waiting)

    def _trust_recently_used(self) -> None:
        """Skip the health check's ``SELECT 1`` on a connection that is plainly alive.

        Django checks a persistent connection before its first use in each request: a
        round trip about as long as everything else the security layers cost a page.
        """
        raw, used = self.connection, self._last_used
        # Set by Django's connect(); not declared on the class for type checkers.
        state: Any = self
        if (
            raw is None
            or not state.health_check_enabled
            or state.health_check_done
            or used is None
            or used[0] is not raw
            or time.monotonic() - used[1] >= HEALTH_CHECK_AFTER_IDLE_SECONDS
            or raw.closed
            or raw.info.status != psycopg.pq.ConnStatus.OK
            or raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
        ):
            return
        state.health_check_done = True

    def _end_request_transaction(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        atomic, self._opened, self._deferred, self._waiting = self._opened, None, False, None
        if atomic is None:
            return  # never used: nothing was begun, nothing to end
        try:
            atomic.__exit__(exc_type, exc, traceback)
        finally:
            if self.connection is not None and not self.errors_occurred:
                self._last_used = (self.connection, time.monotonic())


class RequestTransaction:
    """``with connection.request_transaction():`` one request's deferred transaction."""

    __slots__ = ("connection", "token")

    def __init__(self, connection: DatabaseWrapper) -> None:
        self.connection = connection
        self.token: Token[DatabaseWrapper | None] | None = None

    def __enter__(self) -> None:
        connection = self.connection
        if connection._deferred or connection._opened is not None:
            raise RuntimeError("a request transaction is already under way on this connection")
        connection._waiting = []
        connection._deferred = True
        self.token = _request_connection.set(connection)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.token is not None:
            _request_connection.reset(self.token)
            self.token = None
        self.connection._end_request_transaction(exc_type, exc, traceback)


class QueryWrapper:
    """``execute_wrapper(wrapper)`` for a request transaction: installed when it opens.

    Once it is open, installed at once (``wrap_request_queries``).
    """

    __slots__ = ("connection", "wrapper")

    def __init__(self, connection: DatabaseWrapper, wrapper: Callable[..., Any]) -> None:
        self.connection = connection
        self.wrapper = wrapper

    def __enter__(self) -> None:
        waiting = self.connection._waiting
        if waiting is not None:
            waiting.append(self.wrapper)
        else:
            self.connection.execute_wrappers.append(self.wrapper)

    def __exit__(self, *exc_info: object) -> None:
        lists: tuple[list[Any] | None, ...] = (
            self.connection.execute_wrappers,
            self.connection._waiting,
        )
        for wrappers in lists:
            if wrappers is not None and self.wrapper in wrappers:
                wrappers.remove(self.wrapper)
                return


def request_connection() -> Any:
    """This thread's connection of the default alias, for the request starting in it.

    Django checks every connection a thread has opened as each request starts; the one
    of the default alias is taken from that check (once) rather than looked up again. A
    thread whose default connection is not open yet (its first request), or a request
    handled without that check (Django's test client skips it), looks it up.
    """
    connection = getattr(_checked, "connection", None)
    if connection is None:
        return connections[DEFAULT_DB_ALIAS]
    _checked.connection = None
    return connection


def wrap_request_queries(wrapper: Callable[..., Any]) -> Any:
    """Wrap the queries of the request under way, as soon as it makes one (any backend).

    Inside a request transaction, that transaction's connection (found without a
    lookup in Django's connection handler); elsewhere, the default alias's connection
    at once (SQLite, the liveness probe, code that runs outside the tenant middleware).
    """
    connection = _request_connection.get()
    if connection is not None:
        return QueryWrapper(connection, wrapper)
    return connections[DEFAULT_DB_ALIAS].execute_wrapper(wrapper)
