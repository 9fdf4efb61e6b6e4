"""Club admins edit the booking rules and each membership type's overrides."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fortresa.bookings.errors import BookingRuleError
from fortresa.bookings.forms import ClubRulesForm, MembershipTypeRulesForm
from fortresa.bookings.selectors import rules_rows
from fortresa.bookings.services import update_booking_rules
from fortresa.bookings.views import signed_in_user
from fortresa.clubs.models import Role
from fortresa.clubs.selectors import access_club
from fortresa.core.request import client_ip


@login_required
@require_http_methods(["GET", "POST"])
def manage_rules(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_club(request.user, slug, Role.ADMIN)
    club = access.club
    rows = rules_rows(club)
    data = request.POST if request.method == "POST" else None
    club_form = ClubRulesForm(data, instance=rows.club_rules, prefix="club")
    base = club_form.effective() if club_form.is_bound and club_form.is_valid() else rows.effective
    type_forms = [
        (
            membership_type,
            MembershipTypeRulesForm(
                data, instance=instance, prefix=f"type-{membership_type.pk}", club_rules=base
            ),
        )
        for membership_type, instance in rows.type_rules
    ]
    if data is not None and club_form.is_valid() and all(f.is_valid() for _t, f in type_forms):
        try:
            changed = update_booking_rules(
                actor=signed_in_user(request),
                club=club,
                club_values=club_form.cleaned_data,
                type_values={t.pk: f.overrides() for t, f in type_forms},
                ip_address=client_ip(request),
            )
        except BookingRuleError as error:
            club_form.add_error(None, error.message)
        else:
            if changed:
                messages.success(request, _("Booking rules saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("bookings:manage_rules", slug=club.slug)
    return render(
        request,
        "bookings/manage_rules.html",
        {"club": club, "club_form": club_form, "type_forms": type_forms},
    )
