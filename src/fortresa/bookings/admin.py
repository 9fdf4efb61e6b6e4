from django.contrib import admin

from fortresa.bookings.models import (
    Booking,
    BookingRules,
    FairOpening,
    MembershipTypeRules,
    OpeningDraw,
)


@admin.register(BookingRules)
class BookingRulesAdmin(admin.ModelAdmin[BookingRules]):
    list_display = ("club", "days_ahead", "slot_minutes", "max_active_bookings")
    list_select_related = ("club",)


@admin.register(MembershipTypeRules)
class MembershipTypeRulesAdmin(admin.ModelAdmin[MembershipTypeRules]):
    list_display = ("membership_type",)
    list_select_related = ("membership_type",)


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin[Booking]):
    list_display = ("court", "club", "starts_at", "ends_at", "status", "booked_by")
    list_filter = ("status", "club")
    list_select_related = ("court", "club", "booked_by")
    date_hierarchy = "starts_at"
    raw_id_fields = ("booked_by", "partners", "cancelled_by")
    readonly_fields = ("created_at",)


@admin.register(FairOpening)
class FairOpeningAdmin(admin.ModelAdmin[FairOpening]):
    list_display = ("club", "opens_at", "draw_seconds")
    list_select_related = ("club",)


@admin.register(OpeningDraw)
class OpeningDrawAdmin(admin.ModelAdmin[OpeningDraw]):
    list_display = ("club", "window_opens_at", "window_closes_at", "status", "drawn_at")
    list_filter = ("status",)
    list_select_related = ("club",)
    # A draw is a record of what happened: it is made by the draw service, never edited.
    readonly_fields = ("club", "window_opens_at", "window_closes_at", "status", "drawn_at")
