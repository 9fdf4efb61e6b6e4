"""Django admin for the operator: read incidents and subscribers, correct typos.

Updates are posted from /ops/status/ so that subscribers are told; here they are read-only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fortresa.status.models import CheckResult, Incident, IncidentUpdate, Subscriber


class IncidentUpdateInline(admin.TabularInline[IncidentUpdate, Incident]):
    model = IncidentUpdate
    extra = 0
    can_delete = False
    fields = ("created_at", "status", "event", "message", "author", "notified_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin[Incident]):
    list_display = ("__str__", "kind", "status", "impact", "started_at", "resolved_at")
    list_filter = ("kind", "status")
    fields = ("title", "kind", "impact", "components", "status", "started_at", "resolved_at")
    readonly_fields = ("kind", "components", "status", "started_at", "resolved_at")
    inlines = [IncidentUpdateInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin[Subscriber]):
    list_display = ("email", "language", "created_at", "confirmed_at")
    search_fields = ("email",)
    readonly_fields = ("email", "created_at", "confirmation_sent_at", "confirmed_at")


@admin.register(CheckResult)
class CheckResultAdmin(admin.ModelAdmin[CheckResult]):
    list_display = ("checked_at", "probe", "component", "status", "response_ms", "summary")
    list_filter = ("component", "probe", "status")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
