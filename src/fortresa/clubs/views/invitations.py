"""Inviting people to a club and revoking pending invitations (club admins and staff)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fortresa.clubs import services
from fortresa.clubs.errors import ActionRefused
from fortresa.clubs.forms import InvitationForm
from fortresa.clubs.permissions import Capability, access_club_for, invitable_roles
from fortresa.clubs.selectors import invitation_in, pending_invitations
from fortresa.clubs.views.common import manage_context, signed_in_user
from fortresa.core.request import client_ip


@login_required
@require_http_methods(["GET", "POST"])
def invitation_list(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_club_for(request.user, slug, Capability.INVITE_MEMBER)
    club = access.club
    roles = invitable_roles(access.role)
    form = InvitationForm(request.POST or None, club=club, roles=roles)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.invite_member(
                club=club,
                email=data["email"],
                role=data["role"],
                membership_type=data["membership_type"],
                actor=signed_in_user(request),
                ip_address=client_ip(request),
            )
        except ActionRefused as refused:
            form.add_error("email", refused.message)
        else:
            messages.success(
                request, _("An invitation was sent to %(email)s.") % {"email": data["email"]}
            )
            return redirect("clubs:manage_invitations", slug=club.slug)
    return render(
        request,
        "clubs/manage/invitations.html",
        manage_context(
            access,
            form=form,
            invitations=pending_invitations(club),
            revocable_roles=[str(role) for role in roles],
        ),
    )


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    access = access_club_for(request.user, slug, Capability.REVOKE_INVITATION)
    invitation = invitation_in(access.club, invitation_id)
    try:
        services.revoke_invitation(
            invitation=invitation, actor=signed_in_user(request), ip_address=client_ip(request)
        )
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request, _("The invitation to %(email)s was revoked.") % {"email": invitation.email}
        )
    return redirect("clubs:manage_invitations", slug=access.club.slug)
