"""The public status page, its JSON twin, incident pages and subscriptions."""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fortresa.status.forms import SubscribeForm
from fortresa.status.selectors import (
    incident_by_id,
    status_document,
    status_summary,
    status_version,
)
from fortresa.status.services import subscriptions

logger = logging.getLogger(__name__)
# The rendered summary is kept this long at most: what only time changes (the stale
# warning, today's uptime bar, the chart's hours) is at most this late. Anything written
# to the status tables changes the version in its key and shows at once.
SUMMARY_SECONDS = 30


def summary_html() -> SafeString:
    """The page's figures and incidents, rendered once per language and version."""
    parts = (translation.get_language(), status_version())
    key = "status:summary:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    try:
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - without the cache the page is rendered anew
        logger.warning("status page cache unreadable", exc_info=True)
        found = None
    if isinstance(found, str):
        return mark_safe(found)  # noqa: S308 - HTML this function rendered
    html = render_to_string("status/_summary.html", {"summary": status_summary(now=timezone.now())})
    try:
        cache.set(key, str(html), timeout=SUMMARY_SECONDS)
    except Exception:  # noqa: BLE001 - a page served is worth more than a cache entry
        logger.warning("status page cache unwritable", exc_info=True)
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, escaped there


def _page(
    request: HttpRequest, form: SubscribeForm | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "status/page.html",
        {"summary_html": summary_html(), "subscribe_form": form or SubscribeForm()},
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
