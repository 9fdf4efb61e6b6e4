"""The account's security page: two-factor, recovery codes, sessions, privacy, unlocking."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fortresa.accounts.events import record_security_event
from fortresa.accounts.forms import TotpConfirmForm
from fortresa.accounts.guard import LoginGuard
from fortresa.accounts.models import Passkey, SecurityEvent, User
from fortresa.accounts.roles import is_privileged, staffs_club_of
from fortresa.accounts.selectors import (
    live_sessions,
    passkeys_of,
    security_events_of,
    staff_access_events_of,
)
from fortresa.accounts.services import end_sessions, unlock_account
from fortresa.accounts.session_tracking import SESSION_VERIFIED_AT, current_session
from fortresa.accounts.two_factor import (
    disable_totp,
    enable_totp,
    has_totp,
    new_totp_secret,
    provisioning_uri,
    qr_code_data_uri,
    replace_recovery_codes,
    unused_recovery_codes,
)
from fortresa.accounts.views.common import recently_authenticated, safe_next, signed_in_user
from fortresa.core.request import client_ip

SESSION_TOTP_SETUP = "_fortresa_totp_setup"


def _require_fresh_sign_in(request: HttpRequest) -> HttpResponse | None:
    if recently_authenticated(request):
        return None
    return HttpResponseRedirect(
        reverse("accounts:reauthenticate") + "?" + urlencode({"next": request.get_full_path()})
    )


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    context = {
        "has_totp": has_totp(user),
        "passkeys": passkeys_of(user),
        "recovery_codes_left": unused_recovery_codes(user),
        "two_factor_required": is_privileged(user),
        "events": security_events_of(user, limit=20),
    }
    return render(request, "accounts/security.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    next_url = safe_next(request, request.GET.get("next") or request.POST.get("next"), "")
    secret = request.session.get(SESSION_TOTP_SETUP)
    if not isinstance(secret, str) or request.method == "GET":
        secret = new_totp_secret()
        request.session[SESSION_TOTP_SETUP] = secret
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = enable_totp(
            user=user, secret=secret, code=form.cleaned_data["code"], ip_address=client_ip(request)
        )
        if codes is None:
            form.add_error(
                "code",
                _("This code does not match. Scan the code again or check your phone's clock."),
            )
        else:
            request.session.pop(SESSION_TOTP_SETUP, None)
            # Enrolling proved the factor: the session is verified, with a new key.
            request.session.cycle_key()
            request.session[SESSION_VERIFIED_AT] = time.time()
            messages.success(request, _("Two-factor authentication is on."))
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url}
            )
    uri = provisioning_uri(user, secret)
    context = {
        "form": form,
        "qr_code": qr_code_data_uri(uri),
        "secret": secret,
        "next": next_url,
        "required": is_privileged(user),
        "replacing": has_totp(user),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not has_totp(user):
        return redirect("accounts:security")
    stale = _require_fresh_sign_in(request)
    if stale is not None:
        return stale
    blocked = is_privileged(user) and not Passkey.objects.filter(user=user).exists()
    if request.method == "POST" and not blocked:
        disable_totp(user=user, actor=user, ip_address=client_ip(request))
        messages.success(request, _("Your authenticator app was removed."))
        return redirect("accounts:security")
    return render(request, "accounts/two_factor_disable.html", {"blocked": blocked})


@login_required
@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    stale = _require_fresh_sign_in(request)
    if stale is not None:
        return stale
    if not has_totp(user) and not Passkey.objects.filter(user=user).exists():
        return redirect("accounts:security")
    codes = replace_recovery_codes(user=user, actor=user, ip_address=client_ip(request))
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": ""})


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    this = current_session(request)
    return render(
        request,
        "accounts/sessions.html",
        {"sessions": live_sessions(user), "current_id": this.pk if this else None},
    )


@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    this = current_session(request)
    ended = end_sessions(user=user, keep=this)
    record_security_event(
        kind=SecurityEvent.Kind.SESSIONS_REVOKED,
        user=user,
        actor=user,
        ip_address=client_ip(request),
        details={"ended": ended},
    )
    messages.success(request, _("Your other sessions were signed out."))
    return redirect("accounts:sessions")


@login_required
def privacy(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(request, "accounts/privacy.html", {"accesses": staff_access_events_of(user)})


@login_required
@require_http_methods(["GET", "POST"])
def staff_unlock(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """Club staff lift a member's lockout (reached through the staff gate: two-factor)."""
    actor = signed_in_user(request)
    member = User.objects.filter(pk=user_id).first()
    if member is None or not staffs_club_of(actor, member, slug):
        # The same answer for "no such member here" and "not your club".
        raise Http404("no such member")
    locked_until = LoginGuard().locked_until(member.email)
    if request.method == "POST":
        if locked_until is not None:
            unlock_account(user=member, actor=actor, ip_address=client_ip(request), via="staff")
            messages.success(request, _("The account is unlocked."))
        return redirect("accounts:staff_unlock", slug=slug, user_id=member.pk)
    return render(
        request,
        "accounts/staff_unlock.html",
        {"member": member, "locked_until": locked_until, "slug": slug},
    )
