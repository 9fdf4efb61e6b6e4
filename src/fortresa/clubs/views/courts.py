"""Courts and their weekly opening hours (club admins)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fortresa.clubs import services
from fortresa.clubs.errors import ActionRefused
from fortresa.clubs.forms import CourtForm, OpeningHoursFormSet
from fortresa.clubs.models import Court
from fortresa.clubs.permissions import Capability, access_club_for
from fortresa.clubs.selectors import court_in, courts_of, opening_hours_of
from fortresa.clubs.services.facilities import COURT_FIELDS
from fortresa.clubs.views.common import manage_context, signed_in_user


@login_required
@require_GET
def court_list(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_club_for(request.user, slug, Capability.MANAGE_COURTS)
    courts = courts_of(access.club, active_only=False)
    return render(request, "clubs/manage/courts.html", manage_context(access, courts=courts))


@login_required
@require_http_methods(["GET", "POST"])
def court_create(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_club_for(request.user, slug, Capability.MANAGE_COURTS)
    club = access.club
    form = CourtForm(request.POST or None, instance=Court(club=club), club=club)
    if request.method == "POST" and form.is_valid():
        court = services.create_court(
            club=club,
            actor=signed_in_user(request),
            **{name: form.cleaned_data[name] for name in COURT_FIELDS},
        )
        messages.success(request, _("Court %(court)s was added.") % {"court": court.name})
        return redirect("clubs:manage_court_hours", slug=club.slug, court_id=court.pk)
    return render(
        request, "clubs/manage/court_form.html", manage_context(access, form=form, court=None)
    )


@login_required
@require_http_methods(["GET", "POST"])
def court_edit(request: HttpRequest, slug: str, court_id: int) -> HttpResponse:
    access = access_club_for(request.user, slug, Capability.MANAGE_COURTS)
    club = access.club
    court = court_in(club, court_id)
    # The form works on its own copy: a rejected form must not alter ``court``.
    form = CourtForm(request.POST or None, instance=court_in(club, court_id), club=club)
    if request.method == "POST" and form.is_valid():
        services.update_court(
            court=court,
            actor=signed_in_user(request),
            **{name: form.cleaned_data[name] for name in COURT_FIELDS},
        )
        messages.success(request, _("Court %(court)s was saved.") % {"court": court.name})
        return redirect("clubs:manage_courts", slug=club.slug)
    return render(
        request, "clubs/manage/court_form.html", manage_context(access, form=form, court=court)
    )


@login_required
@require_POST
def court_delete(request: HttpRequest, slug: str, court_id: int) -> HttpResponse:
    access = access_club_for(request.user, slug, Capability.MANAGE_COURTS)
    court = court_in(access.club, court_id)
    try:
        services.delete_court(court=court, actor=signed_in_user(request))
    except ActionRefused as refused:
        messages.error(request, refused.message)
        return redirect("clubs:manage_court_edit", slug=access.club.slug, court_id=court.pk)
    messages.success(request, _("Court %(court)s was deleted.") % {"court": court.name})
    return redirect("clubs:manage_courts", slug=access.club.slug)


@login_required
@require_http_methods(["GET", "POST"])
def court_hours(request: HttpRequest, slug: str, court_id: int) -> HttpResponse:
    access = access_club_for(request.user, slug, Capability.MANAGE_COURTS)
    court = court_in(access.club, court_id)
    initial = [
        {"weekday": h.weekday, "opens_at": h.opens_at, "closes_at": h.closes_at}
        for h in opening_hours_of(court)
    ]
    formset = OpeningHoursFormSet(request.POST or None, initial=initial, prefix="hours")
    if request.method == "POST" and formset.is_valid():
        services.replace_opening_hours(
            court=court, periods=formset.periods(), actor=signed_in_user(request)
        )
        messages.success(
            request, _("Opening hours of %(court)s were saved.") % {"court": court.name}
        )
        return redirect("clubs:manage_court_hours", slug=access.club.slug, court_id=court.pk)
    return render(
        request,
        "clubs/manage/court_hours.html",
        manage_context(access, court=court, formset=formset),
    )


@login_required
@require_POST
def court_hours_copy(request: HttpRequest, slug: str, court_id: int) -> HttpResponse:
    access = access_club_for(request.user, slug, Capability.MANAGE_COURTS)
    court = court_in(access.club, court_id)
    count = services.copy_opening_hours(source=court, actor=signed_in_user(request))
    messages.success(
        request,
        _("The opening hours of %(court)s were copied to %(count)d other courts.")
        % {"court": court.name, "count": count},
    )
    return redirect("clubs:manage_court_hours", slug=access.club.slug, court_id=court.pk)
