"""Club administration of payments: the gateway, the payments list, refunds."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fortresa.bookings.views import signed_in_user
from fortresa.clubs.models import Role
from fortresa.clubs.selectors import access_club
from fortresa.core.request import client_ip
from fortresa.payments.forms import GatewayForm, RefundForm
from fortresa.payments.http import GatewayUnavailable
from fortresa.payments.providers.base import GatewayRefused
from fortresa.payments.selectors import access_club_payment, club_payments, gateway_of
from fortresa.payments.services import configure_gateway, refund_payment
from fortresa.payments.services.settlement import refundable


@login_required
@require_http_methods(["GET", "POST"])
def manage_payments(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_club(request.user, slug, Role.ADMIN)
    club = access.club
    gateway = gateway_of(club)
    initial = (
        {
            "provider": gateway.provider,
            "live": gateway.live,
            "enabled": gateway.enabled,
            "base_url": gateway.base_url,
        }
        if gateway
        else {"enabled": True}
    )
    form = GatewayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        configure_gateway(
            actor=signed_in_user(request),
            club=club,
            provider=form.cleaned_data["provider"],
            credentials=form.credentials(),
            base_url=form.cleaned_data.get("base_url", "")
            if settings.PROFILE != "production"
            else "",
            live=form.cleaned_data["live"],
            enabled=form.cleaned_data["enabled"],
            ip_address=client_ip(request),
        )
        messages.success(request, _("Payment gateway saved."))
        return redirect("payments:manage", slug=club.slug)
    rows = [(payment, refundable(payment)) for payment in club_payments(club)]
    return render(
        request,
        "payments/manage.html",
        {"club": club, "form": form, "gateway": gateway, "rows": rows},
    )


@login_required
@require_http_methods(["GET", "POST"])
def refund(request: HttpRequest, slug: str, reference: str) -> HttpResponse:
    """A full or partial refund of one payment, by the club's admins."""
    access_club(request.user, slug, Role.ADMIN)
    actor = signed_in_user(request)
    payment = access_club_payment(actor, slug, reference)
    left = refundable(payment)
    form = RefundForm(
        request.POST or None, refundable=left, currency=payment.currency, initial={"amount": left}
    )
    status = 200
    if request.method == "POST" and left <= 0:
        status = 409  # nothing was sent to the gateway
    elif request.method == "POST" and form.is_valid():
        try:
            refund_payment(
                actor=actor,
                payment=payment,
                amount=form.cleaned_data["amount"],
                ip_address=client_ip(request),
            )
        except ValueError:
            # Another refund of this payment went through meanwhile.
            form.add_error("amount", _("Less is left to refund now; check the amount."))
            status = 409
        except (GatewayUnavailable, GatewayRefused):
            form.add_error(None, _("The payment service did not accept the refund; try again."))
            status = 502
        else:
            messages.success(request, _("Refund sent to the payment service."))
            return redirect("payments:manage", slug=slug)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "payments/refund.html",
        {"club": payment.club, "payment": payment, "left": left, "form": form},
        status=status,
    )
