"""Database access settings, read once by ``settings.py`` through ``core.env.Env``.

The web processes connect with ``DATABASE_URL`` (the application role). When
``FORTRESA_MIGRATE_DATABASE_URL`` is set it becomes a second alias, ``migrate``, on the
same database as the owner role; ``fortresa migrate`` uses it by default, so DDL never
runs as the application role. Without it (the embedded default, the test suite) a single
URL does everything, as before.

``FORTRESA_WORKER_DATABASE_URL`` likewise adds the ``worker`` alias (the worker role,
which spans clubs past row-level security): background tasks, management commands and
operator pages run over it (``fortresa.dbaccess.tenancy.as_worker``).

This module imports nothing from Django's ORM: settings import it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dj_database_url

from fortresa.core.env import ConfigError, Env

MIGRATE_ALIAS = "migrate"
WORKER_ALIAS = "worker"
ROLE_KEYS = ("owner", "app", "worker", "reporting", "backup")
DEFAULT_ROLE_NAMES = {key: f"fortresa_{key}" for key in ROLE_KEYS}
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
VERIFYING_SSL_MODES = ("verify-ca", "verify-full")
# Django's PostgreSQL backend with the deferred request transaction; every PostgreSQL
# alias is switched to it (``fortresa.dbaccess.postgresql.base``).
POSTGRESQL_ENGINE = "fortresa.dbaccess.postgresql"
POSTGRESQL_ENGINES = frozenset({"django.db.backends.postgresql", POSTGRESQL_ENGINE})

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class DatabaseAccess:
    """Everything ``fortresa db …`` needs to know about the database server policy."""

    database: str = "fortresa"
    role_names: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ROLE_NAMES))
    allowed_networks: dict[str, tuple[Network, ...]] = field(default_factory=dict)
    listen_addresses: tuple[str, ...] = ("localhost",)
    port: int = 5432
    server_cert: str = "server.crt"
    server_key: str = "server.key"
    local_admins: tuple[str, ...] = ("postgres",)
    pgaudit: bool = False
    tenant_rls: bool = False
    log_directory: str = "log"
    admin_url: str = ""
    sslmode: str = ""

    def role(self, key: str) -> str:
        return self.role_names[key]

    def networks_for(self, key: str) -> tuple[Network, ...]:
        return self.allowed_networks.get(key, ())


def parse_networks(name: str, values: list[str]) -> tuple[Network, ...]:
    """Parse CIDRs, refusing a world-open range: the allowlist names known hosts."""
    networks = []
    for value in values:
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ConfigError(f"{name}: {value!r} is not an address or CIDR range") from None
        if network.prefixlen == 0:
            raise ConfigError(f"{name}: {value} opens the database to the whole internet")
        networks.append(network)
    return tuple(networks)


def _optional_secret(env: Env, name: str) -> str:
    """A secret that may be absent: ``NAME`` or the contents of ``NAME_FILE``, else ''."""
    if env.has(name):
        return env.text(name)
    file_name = env.text(f"{name}_FILE", "")
    if not file_name:
        return ""
    try:
        return Path(file_name).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{name}_FILE={file_name} cannot be read: {exc}") from None


def _is_tcp(db: dict[str, Any]) -> bool:
    host = str(db.get("HOST") or "")
    return bool(host) and not host.startswith("/")


def _apply_tls(db: dict[str, Any], *, env: Env, profile: str) -> str:
    """Set libpq's sslmode and CA file on one PostgreSQL alias; return the mode."""
    options = db.setdefault("OPTIONS", {})
    mode = env.text("FORTRESA_DB_SSLMODE", "") or str(options.get("sslmode", ""))
    if not mode and profile == "production" and _is_tcp(db):
        mode = "verify-full"
    if not mode:
        return ""
    if mode not in SSL_MODES:
        raise ConfigError(f"FORTRESA_DB_SSLMODE must be one of {', '.join(SSL_MODES)}")
    options["sslmode"] = mode
    if mode in VERIFYING_SSL_MODES:
        ca_file = env.text("FORTRESA_DB_CA_FILE", "") or str(options.get("sslrootcert", ""))
        if not ca_file:
            raise ConfigError(
                f"sslmode={mode} checks the server certificate: set FORTRESA_DB_CA_FILE "
                "to the CA that signed it"
            )
        if profile == "production" and not Path(ca_file).is_file():
            raise ConfigError(f"FORTRESA_DB_CA_FILE={ca_file} is not a readable file")
        options["sslrootcert"] = ca_file
    return mode


# A statement run this many times on a connection is prepared on the server (psycopg's
# own default): parsed and planned once, then only executed.
PREPARE_THRESHOLD = 5


def _prepare_statements(db: dict[str, Any]) -> None:
    """Send values apart from the statement text (server-side binding) and let psycopg
    prepare the statements a connection runs often, so the server parses and plans each
    once instead of on every request: a page's handful of queries cost less there.

    Migrations (the owner's alias) keep client-side binding. Behind PgBouncer in
    transaction mode, prepared statements need PgBouncer 1.21 or later with
    ``max_prepared_statements`` set; ``FORTRESA_DB_PREPARED_STATEMENTS=off`` turns
    both off.
    """
    options = db.setdefault("OPTIONS", {})
    options.setdefault("server_side_binding", True)
    options.setdefault("prepare_threshold", PREPARE_THRESHOLD)


def configure_database_access(
    databases: dict[str, Any], *, env: Env, profile: str
) -> DatabaseAccess:
    """Add the ``migrate`` alias and client TLS to ``databases``; return the policy.

    Mutates ``databases`` in place (it is the settings' ``DATABASES``).
    """
    default = databases["default"]
    migrate_url = _optional_secret(env, "FORTRESA_MIGRATE_DATABASE_URL")
    if migrate_url:
        migrate: dict[str, Any] = dict(dj_database_url.parse(migrate_url, conn_max_age=0))
        if migrate["ENGINE"] != default["ENGINE"] or migrate.get("NAME") != default.get("NAME"):
            raise ConfigError(
                "FORTRESA_MIGRATE_DATABASE_URL must name the same database as DATABASE_URL"
            )
        databases[MIGRATE_ALIAS] = migrate
    worker_url = _optional_secret(env, "FORTRESA_WORKER_DATABASE_URL")
    if worker_url:
        worker: dict[str, Any] = dict(
            dj_database_url.parse(
                worker_url,
                conn_max_age=default.get("CONN_MAX_AGE", 0),
                conn_health_checks=bool(default.get("CONN_HEALTH_CHECKS", False)),
            )
        )
        if worker["ENGINE"] != default["ENGINE"] or worker.get("NAME") != default.get("NAME"):
            raise ConfigError(
                "FORTRESA_WORKER_DATABASE_URL must name the same database as DATABASE_URL"
            )
        # Tests: the same test database as default, never a second one.
        worker["TEST"] = {"MIRROR": "default"}
        databases[WORKER_ALIAS] = worker
    sslmode = ""
    prepared = env.flag("FORTRESA_DB_PREPARED_STATEMENTS", True)
    for alias, db in databases.items():
        if db["ENGINE"] in POSTGRESQL_ENGINES:
            db["ENGINE"] = POSTGRESQL_ENGINE
            sslmode = _apply_tls(db, env=env, profile=profile) or sslmode
            if prepared and alias != MIGRATE_ALIAS:
                _prepare_statements(db)

    role_names = {
        key: env.text(f"FORTRESA_DB_{key.upper()}_ROLE", default)
        for key, default in DEFAULT_ROLE_NAMES.items()
    }
    shared = env.items("FORTRESA_DB_ALLOWED_CIDRS", [])
    allowed = {
        key: parse_networks(
            f"FORTRESA_DB_{key.upper()}_CIDRS",
            env.items(f"FORTRESA_DB_{key.upper()}_CIDRS", shared),
        )
        for key in ROLE_KEYS
    }
    return DatabaseAccess(
        database=str(default.get("NAME") or "fortresa"),
        role_names=role_names,
        allowed_networks=allowed,
        listen_addresses=tuple(env.items("FORTRESA_DB_LISTEN_ADDRESSES", ["localhost"])),
        port=env.integer("FORTRESA_DB_PORT", 5432, minimum=1),
        server_cert=env.text("FORTRESA_DB_SERVER_CERT", "server.crt"),
        server_key=env.text("FORTRESA_DB_SERVER_KEY", "server.key"),
        local_admins=tuple(env.items("FORTRESA_DB_LOCAL_ADMINS", ["postgres"])),
        pgaudit=env.flag("FORTRESA_DB_PGAUDIT", False),
        tenant_rls=env.flag("FORTRESA_DB_TENANT_RLS", False),
        log_directory=env.text("FORTRESA_DB_LOG_DIRECTORY", "log"),
        admin_url=_optional_secret(env, "FORTRESA_DB_ADMIN_URL"),
        sslmode=sslmode,
    )


def role_passwords(
    access: DatabaseAccess, *, env: Env, databases: dict[str, Any]
) -> dict[str, str]:
    """New passwords for ``fortresa db roles``, by role key.

    ``FORTRESA_DB_<KEY>_PASSWORD`` (or ``_FILE``) wins; otherwise a role that a configured
    alias connects as takes that alias's password, so ``DATABASE_URL`` and
    ``FORTRESA_MIGRATE_DATABASE_URL`` stay the single place the app and owner passwords
    live. A role with neither keeps its current password.
    """
    passwords = {}
    by_user = {
        str(db.get("USER") or ""): str(db.get("PASSWORD") or "") for db in databases.values()
    }
    for key in ROLE_KEYS:
        password = _optional_secret(env, f"FORTRESA_DB_{key.upper()}_PASSWORD")
        password = password or by_user.get(access.role(key), "")
        if password:
            passwords[key] = password
    return passwords
