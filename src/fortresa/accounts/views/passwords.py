"""Password reset by single-use expiring link, and password change when signed in."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fortresa.accounts.conf import login_policy
from fortresa.accounts.forms import PasswordResetRequestForm
from fortresa.accounts.models import User
from fortresa.accounts.services import request_password_reset, set_new_password
from fortresa.accounts.session_tracking import current_session
from fortresa.accounts.tokens import PasswordResetTokens
from fortresa.accounts.views.common import safe_next, signed_in_user
from fortresa.core.request import client_ip


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        request_password_reset(email=form.cleaned_data["email"], ip_address=client_ip(request))
        # The same page whether or not the address has an account.
        return redirect("accounts:password_reset_sent")
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_sent.html")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view (it moves the token out of the URL before the form is shown, so it
    never leaks through the Referer header), with our tokens and our service."""

    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordForm  # type: ignore[assignment]
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.token_generator = PasswordResetTokens(login_policy().reset_link_lifetime)

    def form_valid(self, form: SetPasswordForm[User]) -> HttpResponse:
        user = form.user
        set_new_password(
            user=user,
            password=form.cleaned_data["new_password1"],
            actor=user,
            ip_address=client_ip(self.request),
            via="reset_link",
        )
        self.request.session.pop(auth_views.INTERNAL_RESET_SESSION_TOKEN, None)
        return HttpResponseRedirect(str(self.success_url))


def password_reset_complete(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_complete.html")


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = PasswordChangeForm(user, request.POST or None)
    next_url = safe_next(request, request.GET.get("next") or request.POST.get("next"))
    if request.method == "POST" and form.is_valid():
        set_new_password(
            user=user,
            password=form.cleaned_data["new_password1"],
            actor=user,
            ip_address=client_ip(request),
            keep_session=current_session(request),
            via="change",
        )
        # The other sessions end; this one stays signed in with a new key.
        update_session_auth_hash(request, user)
        messages.success(
            request, _("Your password was changed. Your other sessions were signed out.")
        )
        return HttpResponseRedirect(next_url)
    return render(request, "accounts/password_change.html", {"form": form, "next": next_url})
