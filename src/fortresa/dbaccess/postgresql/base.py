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

import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

import psycopg
from django.db import transaction
from django.db.backends.postgresql import base

# A persistent connection that ended a request this recently, and that its client still
# reports open and idle, is not health-checked again (``CONN_HEALTH_CHECKS``).
HEALTH_CHECK_AFTER_IDLE_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    # Set before Django's __init__, whose assignments already go through the properties.
    _deferred: transaction.Atomic | None = None
    _opened: transaction.Atomic | None = None
    # Installed (outermost) while the request's transaction is open: its queries only.
    _request_wrapper: Callable[..., Any] | None = None
    _last_used: tuple[Any, float] | None = None

    @property
    def in_atomic_block(self) -> bool:
        if self._deferred is not None:
            self._open_deferred()
        return self._in_atomic_block

    @in_atomic_block.setter
    def in_atomic_block(self, value: bool) -> None:
        self._in_atomic_block = value

    @property
    def atomic_blocks(self) -> list[transaction.Atomic]:
        if self._deferred is not None:
            self._open_deferred()
        return self._atomic_blocks

    @atomic_blocks.setter
    def atomic_blocks(self, value: list[transaction.Atomic]) -> None:
        self._atomic_blocks = value

    def close_if_health_check_failed(self) -> None:
        # A query's first step: the transaction opens (and trusts a connection in steady
        # use) before Django would check the connection.
        if self._deferred is not None:
            self._open_deferred()
        super().close_if_health_check_failed()

    def ensure_connection(self) -> None:
        if self._deferred is not None:
            self._open_deferred()
        super().ensure_connection()

    def get_autocommit(self) -> bool:
        if self._deferred is not None:
            self._open_deferred()
        return bool(super().get_autocommit())

    def close(self) -> None:
        # Closing is not a use: a deferred transaction stays deferred, and opens on the
        # next connection if the request goes on to use one.
        deferred, self._deferred = self._deferred, None
        try:
            super().close()
        finally:
            self._deferred = deferred

    def request_transaction(
        self, execute_wrapper: Callable[..., Any] | None = None
    ) -> RequestTransaction:
        """The request's transaction on this connection, opened when first used.

        ``execute_wrapper`` (as for ``execute_wrapper()``) wraps the queries run in it;
        it is installed when the transaction opens, so a request that makes no query
        does not install it at all.
        """
        return RequestTransaction(self, execute_wrapper)

    def _open_deferred(self) -> None:
        atomic, self._deferred = self._deferred, None
        assert atomic is not None  # noqa: S101 - callers check it
        self._trust_recently_used()
        atomic.__enter__()
        self._opened = atomic
        if self._request_wrapper is not None:
            self.execute_wrappers.insert(0, self._request_wrapper)

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
        atomic, self._opened, self._deferred = self._opened, None, None
        wrapper, self._request_wrapper = self._request_wrapper, None
        if atomic is None:
            return  # never used: nothing was begun, nothing to end
        if wrapper is not None:
            self.execute_wrappers.remove(wrapper)
        try:
            atomic.__exit__(exc_type, exc, traceback)
        finally:
            if self.connection is not None and not self.errors_occurred:
                self._last_used = (self.connection, time.monotonic())


class RequestTransaction:
    """``with connection.request_transaction():`` one request's deferred transaction."""

    __slots__ = ("connection", "execute_wrapper")

    def __init__(
        self, connection: DatabaseWrapper, execute_wrapper: Callable[..., Any] | None = None
    ) -> None:
        self.connection = connection
        self.execute_wrapper = execute_wrapper

    def __enter__(self) -> None:
        connection = self.connection
        if connection._deferred is not None or connection._opened is not None:
            raise RuntimeError("a request transaction is already under way on this connection")
        connection._request_wrapper = self.execute_wrapper
        connection._deferred = transaction.atomic(using=connection.alias)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.connection._end_request_transaction(exc_type, exc, traceback)
