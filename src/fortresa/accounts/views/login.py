"""Signing in and out: password, second factor, fresh sign-in, unlock links."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fortresa.accounts.conf import login_policy
from fortresa.accounts.forms import SIGN_IN_REFUSED, CodeForm, EmailLoginForm, ReauthenticateForm
from fortresa.accounts.guard import LoginGuard, spend_hashing_work
from fortresa.accounts.models import User
from fortresa.accounts.services import unlock_with_token, user_for_unlock_token
from fortresa.accounts.session_tracking import (
    SESSION_AUTHENTICATED_AT,
    SESSION_PENDING,
    SESSION_VERIFIED_AT,
)
from fortresa.accounts.two_factor import has_second_factor, has_totp, verify_second_factor
from fortresa.accounts.views.common import (
    complete_sign_in,
    safe_next,
    signed_in_user,
)
from fortresa.core.audit import record_event
from fortresa.core.request import client_ip


class LoginView(auth_views.LoginView):
    form_class = EmailLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: EmailLoginForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        next_url = safe_next(self.request, self.get_redirect_url())
        if has_second_factor(user):
            # The password is right; the session is not signed in until the second factor.
            self.request.session.cycle_key()
            self.request.session[SESSION_PENDING] = {
                "user": user.pk,
                "at": time.time(),
                "next": next_url,
            }
            return redirect("accounts:verify")
        return complete_sign_in(self.request, user, second_factor=None, next_url=next_url)


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
        # LogoutView flushes the session: it is deleted on the server, not just forgotten.
        response = super().post(request, *args, **kwargs)
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path="/")
        return response


def _pending_user(request: HttpRequest) -> tuple[User, str] | None:
    pending = request.session.get(SESSION_PENDING)
    if not isinstance(pending, dict):
        return None
    window = login_policy().second_factor_window.total_seconds()
    at = pending.get("at")
    if not isinstance(at, int | float) or time.time() - at > window:
        request.session.pop(SESSION_PENDING, None)
        return None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    return user, str(pending.get("next") or "")


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of sign-in, or proving the second factor again in this session
    (a staff page reached in a session that never proved one)."""
    pending = _pending_user(request)
    if pending is not None:
        user, next_url = pending
    elif request.user.is_authenticated:
        user = signed_in_user(request)
        next_url = safe_next(request, request.GET.get("next") or request.POST.get("next"))
        if not has_second_factor(user):
            return redirect("accounts:two_factor_setup")
    else:
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        guard = LoginGuard()
        code = form.cleaned_data["code"]
        if not guard.admit(email=user.email, ip=ip, user=user).admitted:
            spend_hashing_work(code)
            form.add_error("code", SIGN_IN_REFUSED)
        elif not verify_second_factor(user=user, code=code, ip_address=ip):
            guard.failed(email=user.email, ip=ip, user=user, second_factor=True)
            form.add_error(
                "code", _("This code is not valid. Check your app's clock and try the newest code.")
            )
        elif pending is not None:
            request.session.pop(SESSION_PENDING, None)
            return complete_sign_in(
                request, user, second_factor="code", next_url=safe_next(request, next_url)
            )
        else:
            # Proving a factor raises the session's privilege: give it a new key.
            request.session.cycle_key()
            request.session[SESSION_VERIFIED_AT] = time.time()
            return HttpResponseRedirect(next_url)
    context = {"form": form, "next": next_url, "has_totp": has_totp(user), "pending": pending}
    return render(request, "accounts/verify.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """A fresh sign-in before a sensitive change: the password again, and the second
    factor when the account has one."""
    user = signed_in_user(request)
    next_url = safe_next(request, request.GET.get("next") or request.POST.get("next"))
    needs_code = has_second_factor(user)
    form = ReauthenticateForm(request.POST or None)
    code_form = CodeForm(request.POST or None, prefix="second") if needs_code else None
    if request.method == "POST" and form.is_valid() and (code_form is None or code_form.is_valid()):
        ip = client_ip(request)
        guard = LoginGuard()
        password = form.cleaned_data["password"]
        if not guard.admit(email=user.email, ip=ip, user=user).admitted:
            spend_hashing_work(password)
            form.add_error("password", SIGN_IN_REFUSED)
        elif not user.check_password(password):
            guard.failed(email=user.email, ip=ip, user=user)
            form.add_error("password", _("This password is not right."))
        elif code_form is not None and not verify_second_factor(
            user=user, code=code_form.cleaned_data["code"], ip_address=ip
        ):
            guard.failed(email=user.email, ip=ip, user=user, second_factor=True)
            code_form.add_error("code", _("This code is not valid."))
        else:
            guard.succeeded(email=user.email)
            request.session.cycle_key()
            request.session[SESSION_AUTHENTICATED_AT] = time.time()
            if code_form is not None:
                request.session[SESSION_VERIFIED_AT] = time.time()
            return HttpResponseRedirect(next_url)
    return render(
        request,
        "accounts/reauthenticate.html",
        {"form": form, "code_form": code_form, "next": next_url},
    )


@require_http_methods(["GET", "POST"])
def unlock(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the lockout email. GET only shows a button: mail scanners that
    open links must not unlock anything."""
    if request.method == "POST":
        user = unlock_with_token(token=token, ip_address=client_ip(request))
        if user is not None:
            messages.success(request, _("Your account is unlocked. You can sign in now."))
            return redirect("accounts:login")
    elif user_for_unlock_token(token) is not None:
        return render(request, "accounts/unlock.html", {"valid": True})
    return render(request, "accounts/unlock.html", {"valid": False}, status=400)
