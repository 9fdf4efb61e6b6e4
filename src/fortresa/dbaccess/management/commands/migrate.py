"""``fortresa migrate`` runs as the owner role when ``FORTRESA_MIGRATE_DATABASE_URL`` is set.

The web processes' ``DATABASE_URL`` names the application role, which may not change
the schema; this wrapper points Django's ``migrate`` at the ``migrate`` alias (same
database, owner role) unless ``--database`` says otherwise, then re-applies the policy's
per-table rights to the tables the migration created. With a single URL it is Django's
``migrate`` unchanged.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.commands import migrate
from django.db import connections

from fortresa.dbaccess.config import MIGRATE_ALIAS
from fortresa.dbaccess.connections import connect_alias
from fortresa.dbaccess.roles import grant_table_rights


class Command(migrate.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("database") in (None, "default") and MIGRATE_ALIAS in connections.settings:
            options["database"] = MIGRATE_ALIAS
        super().handle(*args, **options)
        if options["database"] == MIGRATE_ALIAS and not options.get("plan"):
            self._grant_rights()

    def _grant_rights(self) -> None:
        if connections[MIGRATE_ALIAS].vendor != "postgresql":
            return
        with connect_alias(MIGRATE_ALIAS) as conn:
            grant_table_rights(conn, settings.FORTRESA_DB_ACCESS)
        if self.verbosity > 0:
            self.stdout.write("Applied the database access policy's table rights.")
