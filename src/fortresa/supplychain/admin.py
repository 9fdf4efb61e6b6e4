from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from fortresa.supplychain.models import AuditRun


@admin.register(AuditRun)
class AuditRunAdmin(admin.ModelAdmin[AuditRun]):
    """Audit runs are evidence: operators read them, nobody edits them."""

    list_display = ("ran_at", "result", "mode", "packages_checked", "finding_count")
    list_filter = ("result", "mode")
    readonly_fields = [field.name for field in AuditRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditRun | None = None) -> bool:
        return False
