"""On PostgreSQL the application's connection sends values apart from the statement and
the server keeps the statements a connection runs often prepared (parsed and planned)."""

from __future__ import annotations

import pytest
from django.db import connection

from fortresa.clubs.models import Club
from fortresa.dbaccess.config import PREPARE_THRESHOLD

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares them"),
]


def _prepared(fragment: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE strpos(statement, %s) > 0",
            [fragment],
        )
        return [str(row[0]) for row in cursor.fetchall()]


def test_a_query_run_often_is_prepared_once_with_its_value_as_a_parameter() -> None:
    lookup = '"clubs_club"."slug" = $'
    Club.objects.filter(slug="prepared-probe").exists()
    assert _prepared(lookup) == []

    for attempt in range(PREPARE_THRESHOLD + 2):
        Club.objects.filter(slug=f"prepared-probe-{attempt}").exists()

    found = _prepared(lookup)
    assert len(found) == 1
    assert "prepared-probe" not in found[0]
