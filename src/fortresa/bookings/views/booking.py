"""Booking a court, my bookings, and cancelling."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fortresa.bookings.errors import BookingRuleError
from fortresa.bookings.forms import BookingForm
from fortresa.bookings.selectors import (
    access_booking,
    booking_line,
    memberships_by_club,
    my_bookings,
    viewer_for,
)
from fortresa.bookings.services import cancel_booking, create_booking
from fortresa.bookings.slots import parse_local_start, start_param, time_label
from fortresa.bookings.views import signed_in_user
from fortresa.clubs.selectors import access_club, court_in
from fortresa.core.request import client_ip
from fortresa.dbaccess.tenancy import scope_to_booking_club


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_club(request.user, slug)
    actor = signed_in_user(request)
    club = access.club
    rules = viewer_for(access).rules
    if request.method == "POST":
        form = BookingForm(request.POST, club=club, actor=actor, rules=rules)
        if form.is_valid():
            data = form.cleaned_data
            try:
                booking = create_booking(
                    actor=actor,
                    club=club,
                    court=data["court"],
                    starts_at=data["start"],
                    duration_minutes=data["duration"],
                    partners=list(data.get("partners") or []),
                    guest_names=data.get("guest_names") or [],
                    note=data["note"],
                )
            except BookingRuleError as error:
                form.add_error(None, error.message)
            else:
                if booking.awaiting_payment:
                    # Fees are due: the payments app takes over (by URL name only, since
                    # bookings does not depend on payments).
                    return redirect("payments:pay_booking", booking_id=booking.pk)
                local = booking.starts_at.astimezone(club.tzinfo)
                messages.success(
                    request,
                    _("Court booked: %(court)s on %(day)s at %(time)s.")
                    % {
                        "court": booking.court.name,
                        "day": date_format(local.date(), "DATE_FORMAT"),
                        "time": time_label(local),
                    },
                )
                return redirect("bookings:mine")
        court = form.cleaned_data.get("court")
        start = form.cleaned_data.get("start")
    else:
        court_id = request.GET.get("court", "")
        start = parse_local_start(request.GET.get("start", ""), club.tzinfo)
        if not court_id.isdigit() or len(court_id) > 18 or start is None:
            return HttpResponseBadRequest(_("Choose a free slot in the grid to book it."))
        court = court_in(club, int(court_id))
        if not court.is_active:
            return HttpResponseBadRequest(_("This court cannot be booked."))
        form = BookingForm(
            club=club,
            actor=actor,
            rules=rules,
            initial={
                "court": court.pk,
                "start": start_param(start),
                "duration": next(iter(rules.durations()), None),
            },
        )
    return render(
        request,
        "bookings/book.html",
        {
            "club": club,
            "form": form,
            "court": court,
            "start": start,
            "start_label": time_label(start) if start else "",
            "rules": rules,
        },
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    bookings = my_bookings(signed_in_user(request))
    return render(
        request, "bookings/mine.html", {"upcoming": bookings.upcoming, "past": bookings.past}
    )


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    user = signed_in_user(request)
    scope_to_booking_club(booking_id)  # row-level security: the booking names its club
    booking = access_booking(user, booking_id)
    next_url = _next_url(request)
    if request.method == "POST":
        try:
            cancel_booking(actor=user, booking=booking, ip_address=client_ip(request))
        except BookingRuleError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Booking cancelled."))
        return redirect(next_url or "bookings:mine")
    line = booking_line(user, booking, memberships_by_club(user))
    return render(request, "bookings/cancel.html", {"line": line, "next": next_url})
