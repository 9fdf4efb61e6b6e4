"""System checks: ``fortresa check`` fails on an unsafe database connection setup."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

from fortresa.dbaccess.config import MIGRATE_ALIAS, POSTGRESQL_ENGINES


def _tcp(db: dict[str, Any]) -> bool:
    host = str(db.get("HOST") or "")
    return bool(host) and not host.startswith("/")


@register(Tags.security, Tags.database)
def check_database_connections(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return connection_messages(
        settings.DATABASES,
        profile=getattr(settings, "PROFILE", ""),
        app_role=settings.FORTRESA_DB_ACCESS.role_names["app"],
    )


def connection_messages(
    databases: dict[str, Any], *, profile: str, app_role: str | None = None
) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if profile == "production":
        for alias, db in databases.items():
            if db.get("ENGINE") not in POSTGRESQL_ENGINES or not _tcp(db):
                continue
            if db.get("OPTIONS", {}).get("sslmode") != "verify-full":
                messages.append(
                    Warning(
                        f"Database alias '{alias}' does not verify the server certificate.",
                        hint="Use FORTRESA_DB_SSLMODE=verify-full with FORTRESA_DB_CA_FILE.",
                        id="fortresa.W301",
                    )
                )
    migrate = databases.get(MIGRATE_ALIAS)
    if migrate and migrate.get("USER") == databases["default"].get("USER"):
        messages.append(
            Warning(
                "DATABASE_URL connects as the same role as FORTRESA_MIGRATE_DATABASE_URL.",
                hint="Web processes connect as the application role; only migrations as owner.",
                id="fortresa.W302",
            )
        )
    if not migrate and app_role and databases["default"].get("USER") == app_role:
        messages.append(
            Warning(
                "DATABASE_URL connects as the application role and no owner connection is "
                "configured: erasing an account and purging the audit log will fail.",
                hint="Set FORTRESA_MIGRATE_DATABASE_URL to the owner role's URL: only the "
                "owner may lift the audit log's append-only trigger.",
                id="fortresa.W303",
            )
        )
    return messages
