"""Membership types of a club (club admins)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fortresa.clubs import services
from fortresa.clubs.forms import MembershipTypeForm
from fortresa.clubs.permissions import Capability, access_club_for
from fortresa.clubs.selectors import membership_type_in, membership_types_of
from fortresa.clubs.views.common import manage_context, signed_in_user


@login_required
@require_http_methods(["GET", "POST"])
def type_list(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_club_for(request.user, slug, Capability.MANAGE_MEMBERSHIP_TYPES)
    club = access.club
    form = MembershipTypeForm(request.POST or None, club=club)
    if request.method == "POST" and form.is_valid():
        services.create_membership_type(
            club=club,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            actor=signed_in_user(request),
        )
        messages.success(request, _("The membership type was added."))
        return redirect("clubs:manage_types", slug=club.slug)
    return render(
        request,
        "clubs/manage/membership_types.html",
        manage_context(access, form=form, types=membership_types_of(club)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def type_edit(request: HttpRequest, slug: str, type_id: int) -> HttpResponse:
    access = access_club_for(request.user, slug, Capability.MANAGE_MEMBERSHIP_TYPES)
    membership_type = membership_type_in(access.club, type_id)
    form = MembershipTypeForm(request.POST or None, club=access.club, instance=membership_type)
    if request.method == "POST" and form.is_valid():
        services.update_membership_type(
            membership_type=membership_type,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            actor=signed_in_user(request),
        )
        messages.success(request, _("The membership type was saved."))
        return redirect("clubs:manage_types", slug=access.club.slug)
    return render(
        request,
        "clubs/manage/membership_type_form.html",
        manage_context(access, form=form, membership_type=membership_type),
    )


@login_required
@require_POST
def type_delete(request: HttpRequest, slug: str, type_id: int) -> HttpResponse:
    access = access_club_for(request.user, slug, Capability.MANAGE_MEMBERSHIP_TYPES)
    membership_type = membership_type_in(access.club, type_id)
    services.delete_membership_type(membership_type=membership_type, actor=signed_in_user(request))
    messages.success(
        request,
        _("The membership type was deleted; its members now have no type."),
    )
    return redirect("clubs:manage_types", slug=access.club.slug)
