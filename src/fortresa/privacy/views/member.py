"""A member's own privacy pages under /privacy/: consents, export, erasure and undo."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fortresa.accounts.events import record_security_event
from fortresa.accounts.models import SecurityEvent, User
from fortresa.core.audit import record_event
from fortresa.core.request import client_ip
from fortresa.dbaccess.tenancy import scope_to_user
from fortresa.privacy.conf import privacy_settings
from fortresa.privacy.consent import current_consents, record_consents
from fortresa.privacy.erasure import erase_account
from fortresa.privacy.export import build_export_archive
from fortresa.privacy.forms import ConsentForm, EraseAccountForm
from fortresa.privacy.restore import ErasureNotUndoable, undo_erasure, undoable_erasure


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _page(request: HttpRequest, form: ConsentForm | None = None, status: int = 200) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "privacy/home.html",
        {"consent_form": form or ConsentForm(initial=current_consents(user))},
        status=status,
    )


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@login_required
def consents(request: HttpRequest) -> HttpResponse:
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    user = _user(request)
    changed = record_consents(
        user=user, answers=form.cleaned_data, actor=user, ip_address=client_ip(request)
    )
    messages.success(request, _("Your choices are saved.") if changed else _("Nothing changed."))
    return redirect("privacy:home")


@require_POST
@login_required
def export(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    archive = build_export_archive(user)
    ip_address = client_ip(request)
    record_security_event(
        kind=SecurityEvent.Kind.DATA_EXPORTED,
        user=user,
        ip_address=ip_address,
        details={"what": "own data"},
    )
    record_event(
        action="privacy.data_exported",
        actor=user,
        target=f"user:{user.pk}",
        ip_address=ip_address,
        details={"bytes": len(archive)},
    )
    name = f"fortresa-my-data-{timezone.now():%Y%m%d}.zip"
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@login_required
def erase(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = EraseAccountForm(request.POST or None, user=user)
    context = {"form": form, "grace_days": privacy_settings().erasure_grace_days}
    if request.method == "POST":
        if form.is_valid():
            erase_account(user=user, actor=user)
            logout(request)
            return redirect("privacy:erased")
        return render(request, "privacy/erase.html", context, status=400)
    return render(request, "privacy/erase.html", context)


@require_GET
def erased(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/erased.html")


@require_http_methods(["GET", "POST"])
def undo(request: HttpRequest, pseudonym: str, key: str) -> HttpResponse:
    erasure = undoable_erasure(pseudonym)
    if erasure is None:
        raise Http404
    if request.method == "POST":
        # No session: the link names the account whose memberships come back.
        scope_to_user(erasure.user_id)
        try:
            undo_erasure(pseudonym=pseudonym, key=key, ip_address=client_ip(request))
        except ErasureNotUndoable as exc:
            reason = str(exc)
            message = (
                _(
                    "This email address now belongs to another account; "
                    "the erasure cannot be undone."
                )
                if reason == "address taken"
                else _("This link is not valid.")
            )
            return render(
                request, "privacy/undo.html", {"erasure": erasure, "error": message}, status=400
            )
        messages.success(request, _("Your account is back. Sign in with your password."))
        return redirect("accounts:login")
    return render(request, "privacy/undo.html", {"erasure": erasure})
