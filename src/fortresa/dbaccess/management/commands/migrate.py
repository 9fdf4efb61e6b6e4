"""``fortresa migrate`` runs as the owner role when ``FORTRESA_MIGRATE_DATABASE_URL`` is set.

The web processes' ``DATABASE_URL`` names the application role, which may not change
the schema; this wrapper points Django's ``migrate`` at the ``migrate`` alias (same
database, owner role) unless ``--database`` says otherwise. With a single URL it is
Django's ``migrate`` unchanged.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import migrate
from django.db import connections

from fortresa.dbaccess.config import MIGRATE_ALIAS


class Command(migrate.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("database") in (None, "default") and MIGRATE_ALIAS in connections.settings:
            options["database"] = MIGRATE_ALIAS
        super().handle(*args, **options)
