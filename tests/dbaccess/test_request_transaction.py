"""The request's transaction opens when the request first uses the connection.

Whatever a view does with the database (a query, its own ``atomic()``, ``on_commit``,
``select_for_update``) runs in the one transaction the request always had; a view that
never reaches the database begins none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.signals import request_started
from django.db import connection, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from fortresa.clubs.models import Club
from fortresa.dbaccess.postgresql import base as postgresql_base
from fortresa.dbaccess.postgresql.base import DatabaseWrapper, wrap_request_queries
from fortresa.dbaccess.tenancy import TenantContextMiddleware
from tests.factories import make_club

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the deferred transaction is PostgreSQL's"
    ),
    pytest.mark.django_db(transaction=True),
]


class Failure(Exception):
    """A view's error after it wrote: the request's transaction must roll it back."""


def _serve(view: Callable[[HttpRequest], HttpResponse]) -> HttpResponse:
    request = RequestFactory().get("/accounts/profile/")
    request.user = AnonymousUser()
    response: HttpResponse = TenantContextMiddleware(view)(request)
    return response


def _transaction_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT txid_current()")
        return int(cursor.fetchone()[0])


def _begun(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each change of the connection's autocommit mode: False is a transaction begun."""
    db = connections["default"]
    db.ensure_connection()
    calls: list[bool] = []
    set_autocommit = db.set_autocommit

    def recording(autocommit: bool, **kwargs: Any) -> None:
        calls.append(autocommit)
        set_autocommit(autocommit, **kwargs)

    monkeypatch.setattr(db, "set_autocommit", recording)
    return calls


def test_postgresql_aliases_use_the_backend_with_the_deferred_transaction() -> None:
    assert isinstance(connections["default"], DatabaseWrapper)


def test_a_request_that_never_uses_the_database_begins_no_transaction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    begun = _begun(monkeypatch)

    response = _serve(lambda request: HttpResponse("no query"))

    assert response.status_code == 200
    assert begun == []
    assert not connection.in_atomic_block


def test_a_request_that_queries_runs_all_its_queries_in_one_transaction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    begun = _begun(monkeypatch)
    seen: list[int] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.extend([_transaction_id(), _transaction_id()])
        return HttpResponse("ok")

    _serve(view)

    assert begun == [False, True]  # one transaction, begun once and ended once
    assert seen[0] == seen[1]
    assert _transaction_id() != seen[0]  # and ended with the request


def test_a_failing_request_rolls_back_what_it_wrote() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        make_club(courts=0, slug="rolled-back")
        raise Failure

    with pytest.raises(Failure):
        _serve(view)

    assert not Club.objects.filter(slug="rolled-back").exists()
    assert not connection.in_atomic_block


def test_a_views_own_atomic_block_before_any_query_nests_in_the_requests_transaction() -> None:
    # Were the view's block the outermost one, it would commit on leaving it.
    def view(request: HttpRequest) -> HttpResponse:
        with transaction.atomic():
            make_club(courts=0, slug="inner-block")
        raise Failure

    with pytest.raises(Failure):
        _serve(view)

    assert not Club.objects.filter(slug="inner-block").exists()


def test_on_commit_callbacks_run_when_the_request_commits() -> None:
    ran: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        transaction.on_commit(lambda: ran.append("committed"))
        ran.append("view returned")
        return HttpResponse("ok")

    _serve(view)

    assert ran == ["view returned", "committed"]


def test_on_commit_callbacks_of_a_failed_request_never_run() -> None:
    ran: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        transaction.on_commit(lambda: ran.append("committed"))
        raise Failure

    with pytest.raises(Failure):
        _serve(view)

    assert ran == []


def test_select_for_update_works_as_a_requests_first_query() -> None:
    club = make_club(courts=0)
    locked: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        locked.append(Club.objects.select_for_update().get(pk=club.pk).slug)
        return HttpResponse("ok")

    _serve(view)

    assert locked == [club.slug]


def test_a_durable_block_is_refused_inside_the_request_as_before() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        with transaction.atomic(durable=True):
            return HttpResponse("unreachable")

    with pytest.raises(RuntimeError, match="durable atomic block"):
        _serve(view)


def test_closing_the_connection_before_any_query_keeps_the_transaction_deferred() -> None:
    seen: list[bool] = []

    def view(request: HttpRequest) -> HttpResponse:
        connection.close()
        _transaction_id()
        seen.append(connection.in_atomic_block)
        return HttpResponse("ok")

    _serve(view)

    assert seen == [True]
    assert not connection.in_atomic_block


def test_request_transactions_do_not_nest() -> None:
    db = connections["default"]
    assert isinstance(db, DatabaseWrapper)

    with db.request_transaction(), pytest.raises(RuntimeError, match="already under way"):
        db.request_transaction().__enter__()


def test_the_tenant_context_wrapper_is_installed_with_the_transaction_it_serves() -> None:
    db = connections["default"]
    installed: list[int] = []

    def view(request: HttpRequest) -> HttpResponse:
        installed.append(len(db.execute_wrappers))
        _transaction_id()
        installed.append(len(db.execute_wrappers))
        return HttpResponse("ok")

    _serve(view)

    assert installed == [0, 1]
    assert db.execute_wrappers == []


def test_query_wrappers_asked_for_in_the_request_wait_for_its_transaction() -> None:
    db = connections["default"]
    assert isinstance(db, DatabaseWrapper)
    seen: list[str] = []

    def sensor(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        seen.append(sql)
        return execute(sql, *args)

    installed: list[bool] = []

    def view(request: HttpRequest) -> HttpResponse:
        with wrap_request_queries(sensor):  # finds the request's connection itself
            installed.append(sensor in db.execute_wrappers)
            _transaction_id()
            installed.append(sensor in db.execute_wrappers)
        installed.append(sensor in db.execute_wrappers)
        return HttpResponse("ok")

    _serve(view)

    assert installed == [False, True, False]
    assert seen == ["SELECT txid_current()"]
    assert db.execute_wrappers == []


def test_query_wrappers_outside_a_request_are_installed_at_once() -> None:
    db = connections["default"]
    assert isinstance(db, DatabaseWrapper)

    def sensor(execute: Callable[..., Any], *args: Any) -> Any:
        return execute(*args)

    with wrap_request_queries(sensor):
        assert db.execute_wrappers == [sensor]
    assert db.execute_wrappers == []


def test_the_request_takes_the_connection_django_checked_as_it_started(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = connections["default"]

    class NoLookup:
        def __getitem__(self, alias: str) -> Any:
            raise AssertionError(f"looked up {alias} in the connection handler")

    db.close_if_unusable_or_obsolete()  # what Django's request_started handler does
    monkeypatch.setattr(postgresql_base, "connections", NoLookup())

    assert postgresql_base.request_connection() is db
    # Taken once: a request that started without the check looks the connection up.
    with pytest.raises(AssertionError, match="looked up default"):
        postgresql_base.request_connection()


def test_a_request_started_through_django_runs_in_one_transaction() -> None:
    """With Django's request_started handler run (as the WSGI handler does; the test
    client skips it), the request's queries share the one transaction."""
    request_started.send(sender=None, environ={})
    seen: list[int] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.extend((_transaction_id(), _transaction_id()))
        return HttpResponse("two queries")

    _serve(view)

    assert seen[0] == seen[1]
    assert not connection.in_atomic_block
