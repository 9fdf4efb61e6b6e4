"""The site's home page (the clubs), a club's public home page and open sign-up."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fortresa.accounts.forms import SignUpForm
from fortresa.clubs import services
from fortresa.clubs.errors import ActionRefused
from fortresa.clubs.models import Club
from fortresa.clubs.permissions import Capability, allows
from fortresa.clubs.selectors import (
    clubs_for_user,
    courts_of,
    get_club_or_404,
    membership_of,
    public_clubs,
)
from fortresa.clubs.views.common import sign_in_new_member, signed_in_user
from fortresa.core.request import client_ip


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """The site's home page: the clubs the member belongs to, and those open to all."""
    mine = clubs_for_user(request.user) if request.user.is_authenticated else []
    return render(request, "clubs/directory.html", {"my_clubs": mine, "clubs": public_clubs()})


@require_GET
def club_home(request: HttpRequest, slug: str) -> HttpResponse:
    club = get_club_or_404(slug)
    membership = membership_of(request.user, club)
    role = membership.role if membership else None
    return render(
        request,
        "clubs/home.html",
        {
            "club": club,
            "courts": courts_of(club),
            "membership": membership,
            "can_manage": allows(role, Capability.VIEW_ADMINISTRATION),
        },
    )


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, slug: str) -> HttpResponse:
    club = get_club_or_404(slug)
    if not club.open_signup:
        return render(request, "clubs/join_by_invitation.html", {"club": club}, status=403)
    if request.user.is_authenticated:
        return _join_signed_in(request, club)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.sign_up_and_join(
                club=club,
                email=data["email"],
                full_name=data["full_name"],
                password=data["password"],
                preferred_language=data["preferred_language"],
                ip_address=client_ip(request),
            )
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            sign_in_new_member(request, membership.user)
            messages.success(request, _("Welcome to %(club)s!") % {"club": club.name})
            return redirect("clubs:home", slug=club.slug)
    return render(request, "clubs/join.html", {"club": club, "form": form})


def _join_signed_in(request: HttpRequest, club: Club) -> HttpResponse:
    user = signed_in_user(request)
    if membership_of(user, club) is not None:
        messages.info(request, _("You are already a member of this club."))
        return redirect("clubs:home", slug=club.slug)
    if request.method == "POST":
        try:
            services.join_club(club=club, actor=user, ip_address=client_ip(request))
        except ActionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Welcome to %(club)s!") % {"club": club.name})
        return redirect("clubs:home", slug=club.slug)
    return render(request, "clubs/join.html", {"club": club, "form": None})
