"""Administration overview and the club's own settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fortresa.clubs import services
from fortresa.clubs.forms import ClubSettingsForm
from fortresa.clubs.permissions import Capability, access_club_for
from fortresa.clubs.services.club_settings import SETTINGS_FIELDS
from fortresa.clubs.views.common import manage_context, signed_in_user
from fortresa.core.request import client_ip


@login_required
@require_GET
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_club_for(request.user, slug, Capability.VIEW_ADMINISTRATION)
    return render(request, "clubs/manage/overview.html", manage_context(access))


@login_required
@require_http_methods(["GET", "POST"])
def club_settings(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_club_for(request.user, slug, Capability.EDIT_SETTINGS)
    club = access.club
    initial = {name: getattr(club, name) for name in SETTINGS_FIELDS}
    form = ClubSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = services.update_club_settings(
            club=club,
            actor=signed_in_user(request),
            ip_address=client_ip(request),
            **{name: form.cleaned_data[name] for name in SETTINGS_FIELDS},
        )
        if changed:
            messages.success(request, _("The club's settings were saved."))
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("clubs:manage_settings", slug=club.slug)
    return render(request, "clubs/manage/settings.html", manage_context(access, form=form))
