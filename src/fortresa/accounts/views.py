from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fortresa.accounts.forms import EmailLoginForm, ProfileForm
from fortresa.accounts.middleware import SESSION_LANGUAGE_KEY
from fortresa.accounts.models import User
from fortresa.accounts.services import update_profile
from fortresa.core.audit import record_event
from fortresa.core.request import client_ip


def _set_language_cookie(response: HttpResponseBase, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=60 * 60 * 24 * 365,
        path="/",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite="Lax",
    )


class LoginView(auth_views.LoginView):
    form_class = EmailLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: EmailLoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        user = form.get_user()
        self.request.session[SESSION_LANGUAGE_KEY] = user.preferred_language
        _set_language_cookie(response, user.preferred_language)
        record_event(
            action="auth.login",
            actor=user,
            target=f"user:{user.pk}",
            ip_address=client_ip(self.request),
        )
        return response


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            record_event(
                action="auth.logout",
                actor=request.user,
                target=f"user:{request.user.pk}",
                ip_address=client_ip(request),
            )
        response = super().post(request, *args, **kwargs)
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path="/")
        return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=User.objects.get(pk=user.pk))
        if form.is_valid():
            data = form.cleaned_data
            update_profile(
                user=user,
                full_name=data["full_name"],
                phone=data["phone"],
                preferred_language=data["preferred_language"],
                actor=user,
            )
            request.session[SESSION_LANGUAGE_KEY] = user.preferred_language
            translation.activate(user.preferred_language)
            messages.success(request, _("Your profile was saved."))
            response = redirect("accounts:profile")
            _set_language_cookie(response, user.preferred_language)
            return response
    else:
        form = ProfileForm(instance=user)
    return render(request, "accounts/profile.html", {"form": form})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Language switcher: remembers the choice in a cookie, and on the account if signed in."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language not in dict(settings.LANGUAGES):
        messages.error(request, _("This language is not available."))
        return response
    if request.user.is_authenticated:
        User.objects.filter(pk=request.user.pk).update(preferred_language=language)
    request.session[SESSION_LANGUAGE_KEY] = language
    _set_language_cookie(response, language)
    return response
