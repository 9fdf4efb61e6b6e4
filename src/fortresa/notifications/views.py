"""Preference page (no sign-in: a signed, expiring link), one-click unsubscribe (RFC 8058),
address confirmation after a bounce, the relay's feedback webhook, and club mailings."""

from __future__ import annotations

import hashlib
import hmac
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from fortresa.clubs.models import Role
from fortresa.clubs.selectors import access_club
from fortresa.core.request import client_ip
from fortresa.dbaccess.tenancy import scope_to_user
from fortresa.notifications import selectors
from fortresa.notifications.addresses import InvalidRecipient
from fortresa.notifications.config import email_config
from fortresa.notifications.feedback import confirm_address, record_feedback
from fortresa.notifications.forms import AddressForm, ClubMailingForm, PreferencesForm
from fortresa.notifications.kinds import ALL, refusable_categories
from fortresa.notifications.mailings import send_club_mailing, set_mailing_consent
from fortresa.notifications.models import ClubMailing
from fortresa.notifications.rendering import absolute
from fortresa.notifications.services import opt_out, send_email, set_refused_categories
from fortresa.notifications.tokens import (
    InvalidToken,
    PreferenceToken,
    make_confirmation_token,
    make_preference_token,
    read_confirmation_token,
    read_preference_token,
)


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/invalid_link.html", status=400)


def _token(token: str) -> PreferenceToken | None:
    try:
        return read_preference_token(token)
    except InvalidToken:
        return None


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    reader = _token(token)
    if reader is None:
        return _invalid_link(request)
    address = reader.address
    user = selectors.account_for_address(address)
    if user is not None:  # no session: the link names the member row-level security shows
        scope_to_user(user.pk)
    clubs = selectors.member_clubs(user)
    refused = selectors.refused_categories(address)
    consented = selectors.consented_club_ids(user)
    initial: dict[str, bool] = {
        f"category_{c.identifier}": ALL not in refused and c.identifier not in refused
        for c in refusable_categories()
    }
    initial.update({f"club_{club.pk}": club.pk in consented for club in clubs})
    form = PreferencesForm(request.POST or None, clubs=clubs, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        set_refused_categories(
            address=address,
            refused={
                c.identifier
                for c in refusable_categories()
                if f"category_{c.identifier}" in data and not data[f"category_{c.identifier}"]
            },
        )
        if user is not None:
            for club in clubs:
                set_mailing_consent(user=user, club=club, consent=data[f"club_{club.pk}"])
        messages.success(request, _("Your email preferences are saved."))
        return redirect("notifications:preferences", token=token)
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "address": address,
            "token": token,
            "suppression": selectors.suppression_of(address),
        },
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """RFC 8058: the mailbox provider POSTs ``List-Unsubscribe=One-Click`` here. A GET (a
    person or a link scanner) only leads to the preference page, changing nothing."""
    reader = _token(token)
    if reader is None:
        return _invalid_link(request)
    if request.method == "GET":
        return redirect("notifications:preferences", token=token)
    account = selectors.account_for_address(reader.address)
    if account is not None:  # no session: the link names the member row-level security shows
        scope_to_user(account.pk)
    opt_out(address=reader.address, category=reader.category or ALL, club_id=reader.club_id)
    return render(
        request,
        "notifications/unsubscribed.html",
        {"preferences_url": reverse("notifications:preferences", args=[token])},
    )


@require_http_methods(["GET", "POST"])
def request_link(request: HttpRequest) -> HttpResponse:
    """Ask for a preference link by email. The answer never says whether the address is
    known or a limit was reached."""
    if request.user.is_authenticated and request.method == "GET":
        token = make_preference_token(request.user.email)
        return redirect("notifications:preferences", token=token)
    form = AddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = form.cleaned_data["email"]
        if selectors.has_received_mail(address):
            send_email(
                to=address,
                kind="preferences_link",
                context={},
                language=request.LANGUAGE_CODE,
                user=selectors.account_for_address(address),
                ip_address=client_ip(request),
            )
        return render(request, "notifications/link_sent.html")
    return render(request, "notifications/request_link.html", {"form": form})


@require_POST
def request_confirmation(request: HttpRequest, token: str) -> HttpResponse:
    reader = _token(token)
    if reader is None:
        return _invalid_link(request)
    confirm = make_confirmation_token(reader.address)
    send_email(
        to=reader.address,
        kind="address_confirmation",
        context={"confirm_url": absolute(reverse("notifications:confirm", args=[confirm]))},
        language=request.LANGUAGE_CODE,
        user=selectors.account_for_address(reader.address),
        ip_address=client_ip(request),
    )
    messages.info(
        request, _("If mail to this address is paused, a confirmation link is on its way.")
    )
    return redirect("notifications:preferences", token=token)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners follow links); POST confirms the address."""
    try:
        address = read_confirmation_token(token)
    except InvalidToken:
        return _invalid_link(request)
    if request.method == "POST":
        confirm_address(address=address)
        return render(request, "notifications/confirmed.html", {"address": address})
    return render(request, "notifications/confirm.html", {"address": address})


@csrf_exempt
@require_POST
def feedback_webhook(request: HttpRequest) -> HttpResponse:
    """Bounces and complaints from the relay: ``{"id", "type": "bounce"|"complaint",
    "address", "permanent", "message_id"}``, signed ``X-Fortresa-Signature: sha256=<hex>``
    (HMAC-SHA256 of the raw body). Fails closed without a configured secret."""
    secret = email_config().webhook_secret
    if not secret:
        return JsonResponse({"error": "webhook not configured"}, status=503)
    expected = "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("X-Fortresa-Signature", "")):
        return JsonResponse({"error": "bad signature"}, status=403)
    try:
        event = json.loads(request.body)
        handled = record_feedback(
            event_id=str(event["id"]),
            kind=str(event["type"]),
            address=str(event["address"]),
            permanent=bool(event.get("permanent", True)),
            message_id=str(event.get("message_id", "")),
        )
    except (ValueError, KeyError, TypeError, InvalidRecipient):
        return JsonResponse({"error": "malformed event"}, status=400)
    return JsonResponse({"handled": handled})


@login_required
@require_http_methods(["GET", "POST"])
def club_mailings(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_club(request.user, slug, Role.STAFF)
    form = ClubMailingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        mailing = send_club_mailing(
            club=access.club,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            actor=request.user,  # type: ignore[arg-type]
            ip_address=client_ip(request),
        )
        messages.success(
            request,
            _("The news was sent to %(count)d members who agreed to receive it.")
            % {"count": mailing.recipients},
        )
        return redirect("notifications:club_mailings", slug=slug)
    return render(
        request,
        "notifications/club_mailings.html",
        {
            "club": access.club,
            "form": form,
            "mailings": ClubMailing.objects.filter(club=access.club)[:20],
        },
    )
