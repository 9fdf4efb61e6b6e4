"""Dated closures of the club or of one court (club admins and staff)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fortresa.clubs import services
from fortresa.clubs.errors import ActionRefused
from fortresa.clubs.forms import ClosureForm
from fortresa.clubs.permissions import Capability, access_club_for
from fortresa.clubs.selectors import closure_in, upcoming_closures
from fortresa.clubs.views.common import manage_context, signed_in_user


@login_required
@require_http_methods(["GET", "POST"])
def closure_list(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_club_for(request.user, slug, Capability.MANAGE_CLOSURES)
    club = access.club
    form = ClosureForm(request.POST or None, club=club)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_closure(
                club=club,
                court=data["court"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                reason=data["reason"],
                actor=signed_in_user(request),
            )
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _("The closure was added."))
            return redirect("clubs:manage_closures", slug=club.slug)
    return render(
        request,
        "clubs/manage/closures.html",
        manage_context(access, form=form, closures=upcoming_closures(club)),
    )


@login_required
@require_POST
def closure_delete(request: HttpRequest, slug: str, closure_id: int) -> HttpResponse:
    access = access_club_for(request.user, slug, Capability.MANAGE_CLOSURES)
    closure = closure_in(access.club, closure_id)
    services.delete_closure(closure=closure, actor=signed_in_user(request))
    messages.success(request, _("The closure was deleted."))
    return redirect("clubs:manage_closures", slug=access.club.slug)
