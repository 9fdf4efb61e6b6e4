"""Run a test package with every request's queries under row-level security.

Load it with ``-p tests.dbaccess.enforce_plugin`` (PostgreSQL only). Tests still make
their data as the superuser the suite connects as; each request that
``TenantContextMiddleware`` scopes then runs with ``SET ROLE`` to a role like the
application role (DML only, NOBYPASSRLS), and operator pages to one like the worker role
(BYPASSRLS), inside the test's transaction, so the policies filter exactly what the
pages query. Eager tasks called inside a request keep its role and context.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections

APP_ROLE = "fortresa_test_app"
WORKER_ROLE = "fortresa_test_worker"

_ROLES_SQL = f"""
DO $$ BEGIN
    CREATE ROLE {APP_ROLE} NOLOGIN NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN
    CREATE ROLE {WORKER_ROLE} NOLOGIN BYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
"""


def _grant(cursor: Any, role: str) -> None:
    cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
    cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
    cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")


@pytest.fixture(scope="session", autouse=True)
def _enforcing_roles(django_db_setup: None, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor != "postgresql":
            pytest.exit(
                f"tests.dbaccess.enforce_plugin needs PostgreSQL, not {connection.vendor}",
                returncode=2,
            )
        with connection.cursor() as cursor:
            cursor.execute(_ROLES_SQL)
            _grant(cursor, APP_ROLE)
            _grant(cursor, WORKER_ROLE)


@pytest.fixture(autouse=True)
def _requests_run_under_row_security(monkeypatch: pytest.MonkeyPatch) -> None:
    # Imported here: importing fortresa at plugin load would pick its settings module.
    from fortresa.dbaccess import tenancy

    scoped = tenancy.TenantContextMiddleware._scoped

    def enforced(self: Any, request: Any) -> Any:
        role = WORKER_ROLE if self._is_operator_page(request) else APP_ROLE

        def as_role(req: Any) -> Any:
            connection = connections[DEFAULT_DB_ALIAS]
            with connection.cursor() as cursor:
                cursor.execute(f"SET ROLE {role}")
            try:
                return original_get_response(req)
            finally:
                if not connection.needs_rollback:
                    with connection.cursor() as cursor:
                        cursor.execute("RESET ROLE")

        original_get_response = self.get_response
        self.get_response = as_role
        try:
            return scoped(self, request)
        finally:
            self.get_response = original_get_response

    monkeypatch.setattr(tenancy.TenantContextMiddleware, "_scoped", enforced)
    return
