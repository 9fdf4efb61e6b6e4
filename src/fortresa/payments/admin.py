from django.contrib import admin

from fortresa.payments.models import ClubGateway, GatewayNotification, Payment, TicketPack


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin[Payment]):
    list_display = ("reference", "club", "purpose", "amount", "currency", "provider", "state")
    list_filter = ("state", "provider", "purpose")
    readonly_fields = [f.name for f in Payment._meta.fields]


@admin.register(ClubGateway)
class ClubGatewayAdmin(admin.ModelAdmin[ClubGateway]):
    list_display = ("club", "provider", "live", "enabled", "updated_at")
    # Credentials are sealed; they are changed through the club's payment page only.
    exclude = ("credentials",)
    readonly_fields = ("club", "provider", "base_url", "live")


admin.site.register(TicketPack)
admin.site.register(GatewayNotification)
