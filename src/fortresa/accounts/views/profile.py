from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fortresa.accounts.forms import ProfileForm
from fortresa.accounts.middleware import SESSION_LANGUAGE_KEY
from fortresa.accounts.models import User
from fortresa.accounts.services import update_profile
from fortresa.accounts.views.common import safe_next, set_language_cookie, signed_in_user


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=User.objects.get(pk=user.pk))
        if form.is_valid():
            data = form.cleaned_data
            update_profile(
                user=user,
                full_name=data["full_name"],
                phone=data["phone"],
                preferred_language=data["preferred_language"],
                share_contact_details=data["share_contact_details"],
                actor=user,
            )
            request.session[SESSION_LANGUAGE_KEY] = user.preferred_language
            translation.activate(user.preferred_language)
            messages.success(request, _("Your profile was saved."))
            response = redirect("accounts:profile")
            set_language_cookie(response, user.preferred_language)
            return response
    else:
        form = ProfileForm(instance=user)
    return render(request, "accounts/profile.html", {"form": form})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Language switcher: remembers the choice in a cookie, and on the account if signed in."""
    language = request.POST.get("language", "")
    response = HttpResponseRedirect(safe_next(request, request.POST.get("next"), "/"))
    if language not in dict(settings.LANGUAGES):
        messages.error(request, _("This language is not available."))
        return response
    if request.user.is_authenticated:
        User.objects.filter(pk=request.user.pk).update(preferred_language=language)
    request.session[SESSION_LANGUAGE_KEY] = language
    set_language_cookie(response, language)
    return response
