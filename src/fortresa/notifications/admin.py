from django.contrib import admin

from fortresa.notifications.models import MessageLog, Suppression


@admin.register(MessageLog)
class MessageLogAdmin(admin.ModelAdmin[MessageLog]):
    list_display = ("created_at", "kind", "recipient", "status", "attempts", "message_id")
    list_filter = ("status", "kind")
    search_fields = ("recipient", "message_id")
    readonly_fields = [field.name for field in MessageLog._meta.fields]


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin[Suppression]):
    list_display = ("address", "reason", "created_at")
    search_fields = ("address",)
