"""The tenant context helpers and middleware that row-level security reads."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.db import close_old_connections, connection, connections
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from fortresa.accounts.models import User
from fortresa.clubs.models import Club
from fortresa.dbaccess.postgresql import base as backend
from fortresa.dbaccess.tenancy import (
    TenantContextError,
    TenantContextMiddleware,
    as_worker,
    current_tenant_context,
    set_tenant_context,
    tenant_scope,
)
from tests.factories import make_club, make_user

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no row-level security"
)


class _Recorder:
    """A view stand-in that notes the tenant context it ran under."""

    def __init__(self) -> None:
        self.seen: tuple[int | None, int | None] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.seen = current_tenant_context()
        return HttpResponse("ok")


def _request(user: User | AnonymousUser) -> HttpRequest:
    request = RequestFactory().get("/c/some-club/")
    request.user = user
    return request


def _run(request: HttpRequest, view_kwargs: dict[str, object]) -> _Recorder:
    recorder = _Recorder()
    middleware = TenantContextMiddleware(
        lambda req: middleware.process_view(req, recorder, (), view_kwargs) or recorder(req)
    )
    middleware(request)
    return recorder


@pytest.mark.smoke
@pytest.mark.django_db(transaction=True)
def test_tenant_scope_runs_its_block_in_a_transaction() -> None:
    with tenant_scope(club_id=1, user_id=2):
        inside = connection.in_atomic_block

    assert inside
    assert not connection.in_atomic_block


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_setting_the_context_outside_a_transaction_is_refused() -> None:
    with pytest.raises(TenantContextError):
        set_tenant_context(club_id=1, user_id=None)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_tenant_scope_sets_club_and_user_for_its_transaction_only() -> None:
    with tenant_scope(club_id=7, user_id=9):
        inside = current_tenant_context()

    assert inside == (7, 9)
    assert current_tenant_context() == (None, None)


@postgresql_only
@pytest.mark.django_db
def test_middleware_scopes_a_club_page_to_its_club_and_user() -> None:
    club: Club = make_club(courts=0)
    user = make_user()

    recorder = _run(_request(user), {"slug": club.slug})

    assert recorder.seen == (club.pk, user.pk)


def _signed_in(user: User, path: str) -> HttpRequest:
    request = RequestFactory().get(path)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session.save()
    request.session = session
    request.user = user
    return request


def _run_with_a_query_before_the_view(
    request: HttpRequest, view_kwargs: dict[str, object]
) -> _Recorder:
    # As in the site: the session check queries before the URL resolves to a view.
    recorder = _Recorder()

    def chain(req: HttpRequest) -> HttpResponse:
        User.objects.filter(pk=req.user.pk).exists()
        return middleware.process_view(req, recorder, (), view_kwargs) or recorder(req)

    middleware = TenantContextMiddleware(chain)
    middleware(request)
    return recorder


def _context_statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    sent: list[str] = []
    execute = psycopg.Connection.execute

    def recording(self: psycopg.Connection, query: object, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        if "set_config" in str(query):
            sent.append(str(query))
        return execute(self, query, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(psycopg.Connection, "execute", recording)
    return sent


@postgresql_only
@pytest.mark.django_db
def test_a_signed_in_club_page_sends_its_context_once(monkeypatch: pytest.MonkeyPatch) -> None:
    club = make_club(courts=0)
    user = make_user()
    sent = _context_statements(monkeypatch)

    recorder = _run_with_a_query_before_the_view(
        _signed_in(user, f"/c/{club.slug}/week/"), {"slug": club.slug}
    )

    assert recorder.seen == (club.pk, user.pk)
    assert len(sent) == 1


@postgresql_only
@pytest.mark.django_db
def test_a_view_without_a_club_argument_is_not_scoped_to_the_club_its_path_names() -> None:
    club = make_club(courts=0)
    user = make_user()

    recorder = _run_with_a_query_before_the_view(_signed_in(user, f"/c/{club.slug}/nothing/"), {})

    assert recorder.seen == (None, user.pk)


@postgresql_only
@pytest.mark.django_db
def test_middleware_scopes_a_page_without_club_to_the_user_only() -> None:
    user = make_user()

    recorder = _run(_request(user), {})

    assert recorder.seen == (None, user.pk)


@postgresql_only
@pytest.mark.django_db
def test_middleware_leaves_an_unknown_club_unscoped() -> None:
    user = make_user()

    recorder = _run(_request(user), {"slug": "no-such-club"})

    assert recorder.seen == (None, user.pk)


@postgresql_only
@pytest.mark.django_db
def test_middleware_gives_an_anonymous_visitor_no_user() -> None:
    club = make_club(courts=0)

    recorder = _run(_request(AnonymousUser()), {"slug": club.slug})

    assert recorder.seen == (club.pk, None)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_middleware_runs_the_request_in_one_transaction() -> None:
    recorder = _Recorder()
    seen_atomic: list[bool] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen_atomic.append(connection.in_atomic_block)
        return recorder(request)

    response = TenantContextMiddleware(view)(_request(AnonymousUser()))

    assert response.status_code == 200
    assert seen_atomic == [True]


@pytest.mark.smoke
@pytest.mark.django_db(transaction=True)
def test_middleware_leaves_sqlite_requests_untouched() -> None:
    if connection.vendor == "postgresql":
        pytest.skip("the PostgreSQL behaviour is the test above")
    seen_atomic: list[bool] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen_atomic.append(connection.in_atomic_block)
        return HttpResponse("ok")

    TenantContextMiddleware(view)(_request(AnonymousUser()))

    assert seen_atomic == [False]


@pytest.mark.smoke
@pytest.mark.django_db(transaction=True)
def test_as_worker_is_a_no_op_without_a_worker_alias() -> None:
    before = connections["default"]
    with as_worker() as alias:
        inside = connections["default"]

    assert alias == "default"
    assert inside is before


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_middleware_leaves_the_liveness_probe_outside_any_transaction() -> None:
    seen_atomic: list[bool] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen_atomic.append(connection.in_atomic_block)
        return HttpResponse("ok")

    request = RequestFactory().get("/healthz")
    request.user = AnonymousUser()
    TenantContextMiddleware(view)(request)

    assert seen_atomic == [False]


def _request_cycle(view: _Recorder) -> None:
    close_old_connections()  # what Django does when a request starts
    TenantContextMiddleware(view)(_request(AnonymousUser()))


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_connection_in_steady_use_is_not_health_checked_on_every_request(monkeypatch) -> None:
    checks: list[int] = []
    db = connections["default"]
    db.ensure_connection()
    usable = db.is_usable
    monkeypatch.setattr(db, "health_check_enabled", True)
    monkeypatch.setattr(db, "is_usable", lambda: checks.append(1) or usable())
    recorder = _Recorder()
    _request_cycle(recorder)
    raw = db.connection
    checks.clear()

    _request_cycle(recorder)
    _request_cycle(recorder)

    assert db.connection is raw  # the same persistent connection throughout
    assert checks == []
    # Idle longer than the threshold: checked again before use.
    monkeypatch.setattr(backend, "HEALTH_CHECK_AFTER_IDLE_SECONDS", 0.0)
    _request_cycle(recorder)
    assert checks == [1]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_dropped_while_idle_is_replaced(monkeypatch) -> None:
    db = connections["default"]
    db.ensure_connection()
    monkeypatch.setattr(db, "health_check_enabled", True)
    monkeypatch.setattr(backend, "HEALTH_CHECK_AFTER_IDLE_SECONDS", 0.2)
    recorder = _Recorder()
    _request_cycle(recorder)
    dropped = db.connection.info.backend_pid
    with psycopg.connect(**db.get_connection_params(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [dropped])
    time.sleep(0.3)
    recorder.seen = None

    _request_cycle(recorder)

    assert recorder.seen == (None, None)
    assert db.connection.info.backend_pid != dropped
