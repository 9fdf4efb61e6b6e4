from __future__ import annotations

import threading

import pytest
from django.db import connection

from fortresa.accounts.models import User
from fortresa.detection.models import Alert
from fortresa.detection.sensors.sql import StatementSensor, suspicious_statement

pytestmark = pytest.mark.django_db


def _vulnerable_lookup(email: str) -> list[tuple[object, ...]]:
    # The kind of code the sensor exists for: a value formatted into the SQL text.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM accounts_user WHERE email = '{email}'")  # noqa: S608
        return cursor.fetchall()


def test_injected_tautology_in_statement_raises_critical_alert(member: User) -> None:
    with connection.execute_wrapper(StatementSensor()):
        rows = _vulnerable_lookup("x' OR '1'='1")
    assert rows  # the injection worked: which is exactly why the alert matters
    alert = Alert.objects.get()
    assert (alert.kind, alert.severity) == ("sql_injected_statement", "critical")
    assert alert.evidence["rule"] == "sql.constant_comparison"


def test_injected_comment_in_statement_raises_alert() -> None:
    with connection.execute_wrapper(StatementSensor()):
        _vulnerable_lookup("admin@x.test'--")
    assert Alert.objects.get().evidence["rule"] == "sql.comment"


def test_orm_queries_raise_nothing(member: User) -> None:
    with connection.execute_wrapper(StatementSensor()):
        list(User.objects.filter(email__icontains="o'brien", full_name__startswith="--"))
        User.objects.filter(pk=member.pk).update(full_name="l'équipe; DROP TABLE x")
        list(User.objects.exclude(email="' OR 1=1").values_list("email", flat=True))
    assert not Alert.objects.exists()


@pytest.mark.smoke
def test_parameterised_statement_text_is_not_suspicious() -> None:
    sql = 'SELECT "accounts_user"."id" FROM "accounts_user" WHERE "accounts_user"."email" = %s'
    assert suspicious_statement(sql) is None


@pytest.mark.smoke
def test_stacked_statement_is_suspicious() -> None:
    assert suspicious_statement("SELECT 1 FROM t WHERE a = 'x'; DROP TABLE t") is not None


def test_an_alert_names_the_path_of_its_own_request_when_requests_overlap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One middleware (and one statement sensor) serves every thread of a process. The
    # first request's injected statement runs after a second request has started: its
    # alert must still name the first request's path.
    from django.http import HttpResponse
    from django.test import RequestFactory

    from fortresa.detection.sensors import sql
    from fortresa.detection.sensors.http import DetectionMiddleware

    raised: list[tuple[str, str]] = []
    monkeypatch.setattr(
        sql, "raise_alert", lambda **alert: raised.append((alert["subject"], alert["key"]))
    )
    second_started = threading.Event()

    def view(request: object) -> HttpResponse:
        try:
            if request.path == "/first/":  # type: ignore[attr-defined]
                assert second_started.wait(5)
                _vulnerable_lookup("x' OR '1'='1")
            else:
                second_started.set()
            return HttpResponse("ok")
        finally:
            connection.close()  # this thread's connection

    middleware = DetectionMiddleware(view)
    threads = [
        threading.Thread(target=middleware, args=(RequestFactory().get(path),))
        for path in ("/first/", "/second/")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert raised == [("/first/", "sql.constant_comparison")]
