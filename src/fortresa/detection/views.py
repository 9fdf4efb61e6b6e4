"""Operator triage of alerts under /ops/alerts/ (staff accounts of the platform only)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fortresa.detection.alerts import set_alert_state
from fortresa.detection.breach import can_open_breach_record, open_breach_record
from fortresa.detection.forms import AlertFilterForm, AlertStateForm
from fortresa.detection.selectors import alert_for_triage, alerts_for_triage

View = Callable[..., HttpResponse]


def operator_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@operator_required
def alert_list(request: HttpRequest) -> HttpResponse:
    form = AlertFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        rows = alerts_for_triage().none()
    else:
        data = form.cleaned_data if form.is_bound else {}
        rows = alerts_for_triage(state=data.get("state", ""), severity=data.get("severity", ""))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "detection/alert_list.html", {"form": form, "page": page})


@require_GET
@operator_required
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = alert_for_triage(alert_id)
    return render(
        request,
        "detection/alert_detail.html",
        {
            "alert": alert,
            "form": AlertStateForm(initial={"state": alert.state}),
            "can_open_breach": can_open_breach_record(alert),
        },
    )


@require_POST
@operator_required
def alert_change_state(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = alert_for_triage(alert_id)
    form = AlertStateForm(request.POST)
    if not form.is_valid():
        context = {"alert": alert, "form": form, "can_open_breach": can_open_breach_record(alert)}
        return render(request, "detection/alert_detail.html", context, status=400)
    set_alert_state(
        alert=alert,
        state=form.cleaned_data["state"],
        note=form.cleaned_data["note"],
        actor=request.user,
    )
    messages.success(request, _("Alert updated."))
    return redirect("detection:alert", alert_id=alert.pk)


@require_POST
@operator_required
def alert_open_breach(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = alert_for_triage(alert_id)
    if not can_open_breach_record(alert):
        return HttpResponseBadRequest(_("A breach record can only be opened for a critical alert."))
    reference = open_breach_record(alert=alert, actor=request.user)
    messages.success(request, _("Breach record %(reference)s opened.") % {"reference": reference})
    return redirect("detection:alert", alert_id=alert.pk)
