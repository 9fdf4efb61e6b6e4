"""JSON endpoints for the passkey ceremonies run by ``static/fortresa/accounts-passkeys.js``."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fortresa.accounts.passkeys import (
    PasskeyError,
    authenticate_passkey,
    authentication_options,
    register_passkey,
    registration_options,
    remove_passkey,
)
from fortresa.accounts.roles import is_privileged
from fortresa.accounts.session_tracking import SESSION_PENDING, SESSION_VERIFIED_AT
from fortresa.accounts.two_factor import has_totp
from fortresa.accounts.views.common import (
    complete_sign_in,
    recently_authenticated,
    safe_next,
    signed_in_user,
)
from fortresa.accounts.views.login import _pending_user
from fortresa.core.request import client_ip


def _options(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="application/json")


def _refused(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"ok": False, "error": message}, status=status)


@login_required
@require_POST
def register_options(request: HttpRequest) -> HttpResponse:
    if not recently_authenticated(request):
        url = (
            reverse("accounts:reauthenticate")
            + "?"
            + urlencode({"next": reverse("accounts:security")})
        )
        return JsonResponse({"ok": False, "reauthenticate": url}, status=403)
    return _options(registration_options(request, signed_in_user(request)))


@login_required
@require_POST
def register(request: HttpRequest) -> JsonResponse:
    user = signed_in_user(request)
    try:
        register_passkey(
            request,
            user,
            name=request.POST.get("name", "")[:60],
            credential=request.POST.get("credential", ""),
            ip_address=client_ip(request),
        )
    except PasskeyError:
        return _refused(_("The passkey could not be added. Please try again."))
    request.session.cycle_key()
    request.session[SESSION_VERIFIED_AT] = time.time()
    messages.success(request, _("Your passkey was added."))
    return JsonResponse({"ok": True, "redirect": reverse("accounts:security")})


@require_POST
def login_options(request: HttpRequest) -> HttpResponse:
    pending = _pending_user(request)
    if pending is not None:
        return _options(authentication_options(request, pending[0]))
    if request.user.is_authenticated:
        return _options(authentication_options(request, signed_in_user(request)))
    return _options(authentication_options(request, None))


@require_POST
def login(request: HttpRequest) -> JsonResponse:
    """A passkey as second factor (after the password), to prove it again in a signed-in
    session, or on its own for passwordless sign-in (it requires user verification)."""
    pending = _pending_user(request)
    expected = (
        pending[0]
        if pending
        else (signed_in_user(request) if request.user.is_authenticated else None)
    )
    try:
        user = authenticate_passkey(
            request, credential=request.POST.get("credential", ""), user=expected
        )
    except PasskeyError:
        return _refused(_("This passkey could not sign you in."))
    next_url = safe_next(request, pending[1] if pending else request.POST.get("next"))
    if request.user.is_authenticated and pending is None:
        request.session.cycle_key()
        request.session[SESSION_VERIFIED_AT] = time.time()
        return JsonResponse({"ok": True, "redirect": next_url})
    request.session.pop(SESSION_PENDING, None)
    response = complete_sign_in(request, user, second_factor="passkey", next_url=next_url)
    return JsonResponse({"ok": True, "redirect": response.url})


@login_required
@require_POST
def remove(request: HttpRequest, passkey_id: int) -> HttpResponse:
    user = signed_in_user(request)
    if not recently_authenticated(request):
        return redirect(
            reverse("accounts:reauthenticate")
            + "?"
            + urlencode({"next": reverse("accounts:security")})
        )
    if is_privileged(user) and not has_totp(user) and user.passkeys.count() <= 1:
        messages.error(
            request,
            _(
                "Your role requires two-factor authentication: set up an authenticator "
                "app before removing your last passkey."
            ),
        )
        return redirect("accounts:security")
    if remove_passkey(user=user, passkey_id=passkey_id, ip_address=client_ip(request)):
        messages.success(request, _("The passkey was removed."))
    return redirect("accounts:security")
