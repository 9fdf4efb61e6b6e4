"""Backup engines, registered by identifier (``pgbackrest``, ``sqlite``)."""

from __future__ import annotations

from fortresa.backups.config import BackupConfig
from fortresa.backups.engines import pgbackrest, sqlite
from fortresa.backups.engines.base import BackupEngine, engine_class

__all__ = ["BackupEngine", "get_engine", "pgbackrest", "sqlite"]


def get_engine(config: BackupConfig) -> BackupEngine:
    return engine_class(config.engine)(config)
