"""The operator's status console under /ops/status/: probe details, incidents, maintenance."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fortresa.status.forms import IncidentForm, IncidentUpdateForm, MaintenanceForm
from fortresa.status.models import Incident
from fortresa.status.selectors import latest_check_results, open_incidents
from fortresa.status.services import incidents

View = Callable[..., HttpResponse]


def operator_required(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _console(
    request: HttpRequest,
    *,
    incident_form: IncidentForm | None = None,
    maintenance_form: MaintenanceForm | None = None,
    update_forms: dict[int, IncidentUpdateForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    current = open_incidents()
    forms = update_forms or {}
    rows = [(i, forms.get(i.pk) or IncidentUpdateForm(incident=i)) for i in current]
    return render(
        request,
        "status/ops.html",
        {
            "results": latest_check_results(),
            "open_incidents": rows,
            "incident_form": incident_form or IncidentForm(prefix="incident"),
            "maintenance_form": maintenance_form or MaintenanceForm(prefix="maintenance"),
        },
        status=status,
    )


@require_GET
@operator_required
def console(request: HttpRequest) -> HttpResponse:
    return _console(request)


@require_POST
@operator_required
def open_incident(request: HttpRequest) -> HttpResponse:
    form = IncidentForm(request.POST, prefix="incident")
    if not form.is_valid():
        return _console(request, incident_form=form, status=400)
    incidents.open_incident(actor=request.user, **form.cleaned_data)
    messages.success(request, _("The incident was opened and subscribers are being told."))
    return redirect("status:ops")


@require_POST
@operator_required
def schedule_maintenance(request: HttpRequest) -> HttpResponse:
    form = MaintenanceForm(request.POST, prefix="maintenance")
    if not form.is_valid():
        return _console(request, maintenance_form=form, status=400)
    incidents.schedule_maintenance(actor=request.user, **form.cleaned_data)
    messages.success(request, _("The maintenance was announced."))
    return redirect("status:ops")


@require_POST
@operator_required
def post_update(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None:
        raise Http404
    form = IncidentUpdateForm(request.POST, incident=incident)
    if not form.is_valid():
        return _console(request, update_forms={incident.pk: form}, status=400)
    incidents.post_incident_update(
        actor=request.user,
        incident=incident,
        status=form.cleaned_data["status"],
        message=form.cleaned_data["message"],
    )
    messages.success(request, _("The update was posted and subscribers are being told."))
    return redirect("status:ops")
