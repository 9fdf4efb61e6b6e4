"""The administrator connection ``fortresa db roles`` and ``db audit`` work over."""

from __future__ import annotations

from typing import Any

import psycopg
from django.db import connections

from fortresa.dbaccess.config import MIGRATE_ALIAS, DatabaseAccess


def admin_alias() -> str:
    """The Django alias closest to an administrator: the owner's when configured."""
    return MIGRATE_ALIAS if MIGRATE_ALIAS in connections.settings else "default"


def open_admin_connection(access: DatabaseAccess) -> psycopg.Connection[tuple[Any, ...]]:
    """An autocommit connection as ``FORTRESA_DB_ADMIN_URL``, else the admin alias's.

    Roles and ``pg_hba_file_rules`` need a superuser; the owner alias only suffices on
    servers where the owner is one (never in production: set the admin URL there, e.g.
    ``postgresql:///fortresa?host=/var/run/postgresql`` run as the postgres user).
    """
    if access.admin_url:
        return psycopg.connect(access.admin_url, autocommit=True)
    return connect_alias(admin_alias())


def connect_alias(alias: str) -> psycopg.Connection[tuple[Any, ...]]:
    """A plain autocommit psycopg connection with the Django alias's parameters."""
    wrapper = connections[alias]
    if wrapper.vendor != "postgresql":
        raise psycopg.OperationalError("fortresa db roles and db audit need PostgreSQL")
    params = wrapper.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)
