from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from fortresa.dbaccess.models import DatabaseAuditRun


@admin.register(DatabaseAuditRun)
class DatabaseAuditRunAdmin(admin.ModelAdmin[DatabaseAuditRun]):
    list_display = ("ran_at", "server", "passed", "error_count", "warning_count")
    list_filter = ("passed",)
    readonly_fields = ("ran_at", "server", "passed", "error_count", "warning_count", "findings")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
