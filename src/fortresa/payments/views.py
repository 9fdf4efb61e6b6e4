"""Payment pages: paying a booking, tickets and fees, the gateway's return, notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fortresa.accounts.models import User
from fortresa.bookings.views import signed_in_user
from fortresa.clubs.selectors import access_club
from fortresa.core.request import client_ip
from fortresa.dbaccess.tenancy import scope_to_club
from fortresa.payments.forms import PayBookingForm, TicketPackForm
from fortresa.payments.models import Payment
from fortresa.payments.providers import PROVIDERS
from fortresa.payments.selectors import (
    access_own_held_booking,
    access_own_payment,
    fee_paid_for,
    gateway_of,
    membership_fee_for,
    notification_club,
    payments_of,
    ticket_pack_in,
    ticket_packs_of,
)
from fortresa.payments.services import (
    PaymentError,
    begin_checkout,
    create_booking_payment,
    create_membership_payment,
    create_ticket_payment,
    handle_notification,
    handle_return,
    pay_booking_with_tickets,
    ticket_balance,
    tickets_needed,
)
from fortresa.payments.services.gateways import GatewayNotConfigured


def _urls(request: HttpRequest) -> object:
    def build(payment: Payment) -> tuple[str, str, str]:
        ref = str(payment.reference)
        return (
            request.build_absolute_uri(reverse("payments:return", args=[ref])),
            request.build_absolute_uri(reverse("payments:cancelled", args=[ref])),
            request.build_absolute_uri(
                reverse("payments:notify", args=[payment.provider, payment.club.slug])
            ),
        )

    return build


def _send_to_gateway(request: HttpRequest, actor: User, payment: Payment) -> HttpResponse:
    try:
        checkout = begin_checkout(actor=actor, payment=payment, urls=_urls(request))  # type: ignore[arg-type]
    except PaymentError as error:
        return render(request, "payments/unavailable.html", {"message": error.message}, status=503)
    if checkout.form_fields:
        return render(
            request,
            "payments/redirect_form.html",
            {"checkout": checkout, "payment": payment, "gateway": PROVIDERS[payment.provider].name},
        )
    return HttpResponseRedirect(checkout.url)


@login_required
@require_http_methods(["GET", "POST"])
def pay_booking(request: HttpRequest, booking_id: int) -> HttpResponse:
    user = signed_in_user(request)
    booking = access_own_held_booking(user, booking_id)
    scope_to_club(booking.club_id)  # row-level security: the booking names its club
    balance = ticket_balance(user=user, club=booking.club)
    needed = tickets_needed(booking) if booking.awaiting_payment else 0
    gateway = gateway_of(booking.club)
    form = PayBookingForm(request.POST or None, initial={"method": "gateway"})
    if request.method == "POST" and booking.awaiting_payment and form.is_valid():
        try:
            if form.cleaned_data["method"] == "tickets":
                pay_booking_with_tickets(actor=user, booking=booking)
                messages.success(request, _("Paid with your tickets: the booking is confirmed."))
                return redirect("bookings:mine")
            payment = create_booking_payment(actor=user, booking=booking)
        except (PaymentError, GatewayNotConfigured) as error:
            form.add_error(
                None,
                error.message
                if isinstance(error, PaymentError)
                else _("This club does not take online payments."),
            )
        else:
            return _send_to_gateway(request, user, payment)
    local_due = (
        booking.payment_due_by.astimezone(booking.club.tzinfo) if booking.payment_due_by else None
    )
    return render(
        request,
        "payments/pay_booking.html",
        {
            "booking": booking,
            "local_start": booking.starts_at.astimezone(booking.club.tzinfo),
            "due_by": local_due,
            "form": form,
            "balance": balance,
            "needed": needed,
            "gateway": gateway if gateway and gateway.enabled else None,
        },
    )


def _result(request: HttpRequest, reference: str, *, cancelled: bool) -> HttpResponse:
    user = signed_in_user(request)
    payment = access_own_payment(user, reference)
    scope_to_club(payment.club_id)  # row-level security: the payment names its club
    params = {"__raw__": request.META.get("QUERY_STRING", "")[:4000]}
    params.update({k: v[:200] for k, v in request.GET.items() if k != "__raw__"})
    problem = ""
    try:
        payment = handle_return(actor=user, payment=payment, params=params, cancelled=cancelled)
    except PaymentError as error:
        problem = error.message
    except GatewayNotConfigured:
        problem = _("This club does not take online payments any more.")
    return render(request, "payments/result.html", {"payment": payment, "problem": problem})


@login_required
@require_GET
def payment_return(request: HttpRequest, reference: str) -> HttpResponse:
    return _result(request, reference, cancelled=False)


@login_required
@require_GET
def payment_cancelled(request: HttpRequest, reference: str) -> HttpResponse:
    return _result(request, reference, cancelled=True)


@csrf_exempt  # signed by the gateway instead; the signature is checked before anything
@require_POST
def notify(request: HttpRequest, provider: str, slug: str) -> HttpResponse:
    if provider not in PROVIDERS:
        raise Http404
    club = notification_club(slug)
    result = handle_notification(
        provider_id=provider,
        club=club,
        body=request.body,
        headers={k.lower(): v for k, v in request.headers.items()},
        params={},
        ip_address=client_ip(request),
    )
    return HttpResponse(result.outcome.value, status=result.http_status, content_type="text/plain")


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(request, "payments/mine.html", {"payments": list(payments_of(user)[:100])})


@login_required
@require_http_methods(["GET", "POST"])
def tickets(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_club(request.user, slug)
    user = signed_in_user(request)
    packs = list(ticket_packs_of(access.club))
    choices = [
        (pack.pk, f"{pack.name}: {pack.tickets} × {pack.price} {access.club.currency}")
        for pack in packs
    ]
    form = TicketPackForm(request.POST or None, packs=choices)
    if request.method == "POST" and form.is_valid():
        pack = ticket_pack_in(access.club, form.cleaned_data["pack"])
        try:
            payment = create_ticket_payment(actor=user, pack=pack)
        except PaymentError as error:
            form.add_error(None, error.message)
        except GatewayNotConfigured:
            form.add_error(None, _("This club does not take online payments."))
        else:
            return _send_to_gateway(request, user, payment)
    return render(
        request,
        "payments/tickets.html",
        {
            "club": access.club,
            "form": form,
            "packs": packs,
            "balance": ticket_balance(user=user, club=access.club),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_fee(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_club(request.user, slug)
    user = signed_in_user(request)
    membership = access.membership
    if membership is None:  # only members owe a membership fee
        raise PermissionDenied("not a member of this club")
    fee = membership_fee_for(access.club, membership.membership_type_id)
    error = ""
    if request.method == "POST":
        try:
            payment = create_membership_payment(actor=user, membership=membership)
        except PaymentError as problem:
            error = problem.message
        except GatewayNotConfigured:
            error = _("This club does not take online payments.")
        else:
            return _send_to_gateway(request, user, payment)
    gateway = gateway_of(access.club)
    return render(
        request,
        "payments/membership_fee.html",
        {
            "club": access.club,
            "fee": fee,
            "due": fee is not None and fee.amount > 0,
            "covered": fee_paid_for(membership, fee.period_label) if fee is not None else None,
            "online": gateway is not None and gateway.enabled,
            "paid": list(
                membership.fees_paid.select_related("payment").order_by("-created_at")[:10]
            ),
            "error": error,
        },
    )
