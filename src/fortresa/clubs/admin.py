"""The operator's view of clubs in the Django admin (/ops/admin/)."""

from django.contrib import admin

from fortresa.clubs.models import (
    Closure,
    Club,
    Court,
    Invitation,
    Membership,
    MembershipType,
    OpeningHours,
)


class CourtInline(admin.TabularInline[Court, Club]):
    model = Court
    extra = 0
    fields = ("name", "sport", "surface", "indoor", "has_lights", "is_active", "position")


class OpeningHoursInline(admin.TabularInline[OpeningHours, Court]):
    model = OpeningHours
    extra = 0


@admin.register(Club)
class ClubAdmin(admin.ModelAdmin[Club]):
    list_display = ("name", "slug", "timezone", "default_language", "currency", "open_signup")
    list_filter = ("open_signup",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (CourtInline,)


@admin.register(Court)
class CourtAdmin(admin.ModelAdmin[Court]):
    list_display = ("name", "club", "sport", "surface", "indoor", "has_lights", "is_active")
    list_filter = ("sport", "surface", "indoor", "is_active")
    search_fields = ("name", "club__name")
    list_select_related = ("club",)
    inlines = (OpeningHoursInline,)


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin[OpeningHours]):
    list_display = ("court", "weekday", "opens_at", "closes_at")
    list_filter = ("weekday", "court__club")
    list_select_related = ("court",)


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin[Closure]):
    list_display = ("reason", "club", "court", "starts_at", "ends_at")
    list_filter = ("club",)
    search_fields = ("reason",)
    list_select_related = ("club", "court")


@admin.register(MembershipType)
class MembershipTypeAdmin(admin.ModelAdmin[MembershipType]):
    list_display = ("name", "club")
    list_filter = ("club",)
    search_fields = ("name",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ("user", "club", "role", "membership_type", "joined_at")
    list_filter = ("role", "club")
    search_fields = ("user__email", "user__full_name", "club__name")
    list_select_related = ("user", "club", "membership_type")
    raw_id_fields = ("user",)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = ("email", "club", "role", "created_at", "expires_at", "accepted_at")
    list_filter = ("role", "club")
    search_fields = ("email",)
    # The token itself is never stored; its hash is of no use to an operator.
    exclude = ("token_hash",)
    readonly_fields = ("created_by", "created_at", "accepted_at")
