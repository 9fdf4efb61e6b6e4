"""Read-only views of the backup records for operators (``/ops/admin/``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fortresa.backups.models import BackupAlert, BackupRun, DataFingerprint, RestoreDrill, VerifyRun


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BackupRun)
class BackupRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "repository", "kind", "label", "size_bytes", "result")
    list_filter = ("result", "kind", "repository")


@admin.register(VerifyRun)
class VerifyRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "repository", "checked", "result")
    list_filter = ("result", "repository")


@admin.register(RestoreDrill)
class RestoreDrillAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "repository", "mode", "result", "rpo_seconds", "rto_seconds")
    list_filter = ("result", "mode", "repository")


@admin.register(DataFingerprint)
class DataFingerprintAdmin(ReadOnlyAdmin):
    list_display = ("taken_at", "engine", "repository", "label")


@admin.register(BackupAlert)
class BackupAlertAdmin(ReadOnlyAdmin):
    list_display = ("raised_at", "kind", "subject", "message", "resolved_at", "delivered_at")
    list_filter = ("kind", "resolved_at")
