from django.contrib import admin

from fortresa.detection.models import Alert, AlertDelivery


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin[Alert]):
    list_display = ("kind", "severity", "source", "subject", "count", "state", "last_seen")
    list_filter = ("state", "severity", "kind", "source")
    readonly_fields = ("dedup_key", "evidence", "first_seen", "last_seen", "count")


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(admin.ModelAdmin[AlertDelivery]):
    list_display = ("alert", "channel", "status", "attempts", "delivered_at")
