"""The public status page, its JSON twin, incident pages and subscriptions."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fortresa.status.forms import SubscribeForm
from fortresa.status.selectors import incident_by_id, status_document, status_summary
from fortresa.status.services import subscriptions


def _page(
    request: HttpRequest, form: SubscribeForm | None = None, status: int = 200
) -> HttpResponse:
    summary = status_summary(now=timezone.now())
    return render(
        request,
        "status/page.html",
        {"summary": summary, "subscribe_form": form or SubscribeForm()},
        status=status,
    )


@require_GET
def status_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_GET
def status_json(request: HttpRequest) -> HttpResponse:
    document = status_document(status_summary(now=timezone.now()))
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = incident_by_id(incident_id)
    if incident is None:
        raise Http404
    return render(request, "status/incident.html", {"incident": incident})


@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    subscriptions.subscribe_email(
        email=form.cleaned_data["email"], language=translation.get_language() or "en"
    )
    return render(request, "status/subscription.html", {"outcome": "sent"})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    # GET only shows a button: mail scanners that follow links must not confirm.
    if request.method == "POST":
        subscriber = subscriptions.confirm_subscription(token=token)
        outcome = "confirmed" if subscriber else "invalid"
        return render(
            request,
            "status/subscription.html",
            {"outcome": outcome},
            status=200 if subscriber else 400,
        )
    return render(request, "status/subscription.html", {"outcome": "confirm", "token": token})


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        removed = subscriptions.remove_subscription(token=token)
        outcome = "removed" if removed else "invalid"
        return render(
            request,
            "status/subscription.html",
            {"outcome": outcome},
            status=200 if removed else 400,
        )
    valid = subscriptions.check_unsubscribe_token(token) is not None
    return render(
        request,
        "status/subscription.html",
        {"outcome": "unsubscribe" if valid else "invalid", "token": token},
        status=200 if valid else 400,
    )
