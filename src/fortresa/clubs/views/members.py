"""Members of a club: list, role, membership type, removal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fortresa.accounts.services import record_personal_data_access
from fortresa.clubs import services
from fortresa.clubs.errors import ActionRefused
from fortresa.clubs.forms import MemberRoleForm, MemberSearchForm, MemberTypeForm
from fortresa.clubs.permissions import Capability, access_club_for
from fortresa.clubs.selectors import membership_in, search_members
from fortresa.clubs.views.common import manage_context, signed_in_user
from fortresa.core.request import client_ip

PAGE_SIZE = 50


@login_required
@require_GET
def member_list(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_club_for(request.user, slug, Capability.VIEW_MEMBERS)
    search = MemberSearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    page = Paginator(search_members(access.club, query), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "clubs/manage/members.html",
        manage_context(access, search=search, page=page, query=query),
    )


@login_required
@require_GET
def member_detail(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    access = access_club_for(request.user, slug, Capability.VIEW_MEMBERS)
    member = membership_in(access.club, membership_id)
    # Need-to-know: the member can read on their privacy page who looked at their data.
    record_personal_data_access(
        subject=member.user,
        actor=signed_in_user(request),
        club_id=access.club.pk,
        ip_address=client_ip(request),
        what="member details",
    )
    role_form = MemberRoleForm(initial={"role": member.role})
    type_form = MemberTypeForm(
        club=access.club, initial={"membership_type": member.membership_type}
    )
    return render(
        request,
        "clubs/manage/member.html",
        manage_context(access, member=member, role_form=role_form, type_form=type_form),
    )


@login_required
@require_POST
def member_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    access = access_club_for(request.user, slug, Capability.CHANGE_ROLE)
    member = membership_in(access.club, membership_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed roles."))
    else:
        try:
            services.change_member_role(
                membership=member,
                role=form.cleaned_data["role"],
                actor=signed_in_user(request),
                ip_address=client_ip(request),
            )
        except ActionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("The role was changed."))
    return redirect("clubs:manage_member", slug=access.club.slug, membership_id=member.pk)


@login_required
@require_POST
def member_type(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    access = access_club_for(request.user, slug, Capability.ASSIGN_MEMBERSHIP_TYPE)
    member = membership_in(access.club, membership_id)
    form = MemberTypeForm(request.POST, club=access.club)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed membership types."))
    else:
        services.assign_membership_type(
            membership=member,
            membership_type=form.cleaned_data["membership_type"],
            actor=signed_in_user(request),
            ip_address=client_ip(request),
        )
        messages.success(request, _("The membership type was changed."))
    return redirect("clubs:manage_member", slug=access.club.slug, membership_id=member.pk)


@login_required
@require_POST
def member_remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    access = access_club_for(request.user, slug, Capability.REMOVE_MEMBER)
    member = membership_in(access.club, membership_id)
    try:
        services.remove_member(
            membership=member, actor=signed_in_user(request), ip_address=client_ip(request)
        )
    except ActionRefused as refused:
        messages.error(request, refused.message)
        return redirect("clubs:manage_member", slug=access.club.slug, membership_id=member.pk)
    messages.success(
        request, _("%(name)s is no longer a member.") % {"name": member.user.full_name}
    )
    return redirect("clubs:manage_members", slug=access.club.slug)
