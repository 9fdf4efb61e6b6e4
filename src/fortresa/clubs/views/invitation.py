"""Accepting an invitation link (the person invited; the inviting side is in members)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from fortresa.accounts.models import User
from fortresa.clubs import services
from fortresa.clubs.errors import ActionRefused
from fortresa.clubs.forms import InvitedSignUpForm
from fortresa.clubs.models import Invitation, Membership
from fortresa.clubs.selectors import invitation_for_token
from fortresa.clubs.views.common import sign_in_new_member, signed_in_user
from fortresa.core.request import client_ip


def _is_usable(invitation: Invitation) -> bool:
    return invitation.accepted_at is None and invitation.expires_at > timezone.now()


def _invalid_page(request: HttpRequest, invitation: Invitation | None) -> HttpResponse:
    if invitation is None:
        message, status = _("This invitation link is not valid. Check that it is complete."), 404
    elif invitation.accepted_at is not None:
        message, status = _("This invitation has already been used."), 410
    else:
        message, status = _("This invitation has expired. Ask the club for a new one."), 410
    return render(request, "clubs/invitation_invalid.html", {"message": message}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_for_token(token)
    if invitation is None or not _is_usable(invitation):
        return _invalid_page(request, invitation)
    if request.user.is_authenticated:
        return _accept_signed_in(request, invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        login_url = reverse("accounts:login") + "?" + urlencode({"next": request.path})
        return render(
            request,
            "clubs/invitation_sign_in.html",
            {"invitation": invitation, "club": invitation.club, "login_url": login_url},
        )
    form = InvitedSignUpForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.accept_invitation_with_new_account(
                invitation=invitation,
                full_name=data["full_name"],
                password=data["password"],
                preferred_language=data["preferred_language"],
                ip_address=client_ip(request),
            )
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            sign_in_new_member(request, membership.user)
            return _welcome(request, invitation)
    return render(
        request,
        "clubs/invitation_sign_up.html",
        {"invitation": invitation, "club": invitation.club, "form": form},
    )


def _accept_signed_in(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    user = signed_in_user(request)
    context = {"invitation": invitation, "club": invitation.club}
    if user.email.lower() != invitation.email.lower():
        return render(request, "clubs/invitation_wrong_account.html", context, status=403)
    if Membership.objects.filter(club=invitation.club, user=user).exists():
        messages.info(request, _("You are already a member of this club."))
        return redirect("clubs:home", slug=invitation.club.slug)
    if request.method == "POST":
        try:
            services.accept_invitation(
                invitation=invitation, actor=user, ip_address=client_ip(request)
            )
        except ActionRefused as refused:
            messages.error(request, refused.message)
            return redirect("clubs:home", slug=invitation.club.slug)
        return _welcome(request, invitation)
    return render(request, "clubs/invitation_accept.html", context)


def _welcome(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    messages.success(request, _("Welcome to %(club)s!") % {"club": invitation.club.name})
    return redirect("clubs:home", slug=invitation.club.slug)
