"""The private calendar feed: its settings page and the feed itself."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fortresa.accounts.models import User
from fortresa.bookings.calendar_feed import feed_path, render_feed, token_is_valid
from fortresa.bookings.selectors import feed_bookings
from fortresa.bookings.services import renew_calendar_feed, set_calendar_feed_enabled
from fortresa.bookings.views import signed_in_user
from fortresa.core.request import client_ip
from fortresa.dbaccess.tenancy import scope_to_user

MAX_TOKEN_LENGTH = 128


@login_required
@require_http_methods(["GET", "POST"])
def calendar(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if request.method == "POST":
        action = request.POST.get("action", "")
        ip_address = client_ip(request)
        if action == "renew":
            renew_calendar_feed(actor=user, ip_address=ip_address)
            messages.success(
                request, _("Your calendar feed has a new address; the old one no longer works.")
            )
        elif action == "disable":
            set_calendar_feed_enabled(actor=user, enabled=False, ip_address=ip_address)
            messages.success(request, _("Your calendar feed is turned off."))
        elif action == "enable":
            set_calendar_feed_enabled(actor=user, enabled=True, ip_address=ip_address)
            messages.success(request, _("Your calendar feed is turned on."))
        else:
            return HttpResponseBadRequest(_("Unknown action."))
        return redirect("bookings:calendar")
    site = settings.FORTRESA_SITE_URL.rstrip("/")
    feed_url = site + feed_path(user) if user.calendar_feed_enabled else ""
    return render(request, "bookings/calendar.html", {"feed_url": feed_url})


@require_GET
def calendar_feed(request: HttpRequest, user_id: int, token: str) -> HttpResponse:
    """Open to calendar apps (no session): the token in the URL is the credential."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or len(token) > MAX_TOKEN_LENGTH or not token_is_valid(user, token):
        raise Http404("no such feed")
    # No session: the token names the user, whose bookings row-level security shows.
    scope_to_user(user.pk)
    response = HttpResponse(
        render_feed(user, feed_bookings(user)), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="bookings.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
