"""The operator's breach register and records of processing under /ops/ (operators only)."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fortresa.accounts.models import User
from fortresa.clubs.models import Club
from fortresa.privacy import breaches
from fortresa.privacy.documents import render_notification_html, render_notification_pdf
from fortresa.privacy.forms import (
    AuthorityNotificationForm,
    BreachForm,
    DocumentLanguageForm,
    NewBreachForm,
)
from fortresa.privacy.models import Breach
from fortresa.privacy.records import processing_records, processing_records_csv
from fortresa.privacy.retention import retention_schedule

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


def _operator(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


@require_GET
@operator_required
def breach_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = [(b, b.is_overdue(now)) for b in Breach.objects.select_related("club")[:500]]
    return render(request, "privacy/breach_list.html", {"rows": rows, "now": now})


@require_http_methods(["GET", "POST"])
@operator_required
def breach_new(request: HttpRequest) -> HttpResponse:
    form = NewBreachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        club = Club.objects.filter(slug=data["club"]).first() if data["club"] else None
        if data["club"] and club is None:
            form.add_error("club", _("No club has this slug."))
        else:
            breach = breaches.open_breach(
                title=data["title"],
                aware_at=data["aware_at"],
                actor=_operator(request),
                facts=data["facts"],
                basis={
                    "tables": data["tables"],
                    "club_id": club.pk if club else None,
                    "until": data["aware_at"].isoformat(),
                },
            )
            messages.success(
                request, _("Breach %(reference)s recorded.") % {"reference": breach.reference}
            )
            return redirect("privacy:breach", breach_id=breach.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "privacy/breach_new.html", {"form": form}, status=status)


def _detail(
    request: HttpRequest,
    breach: Breach,
    *,
    form: BreachForm | None = None,
    notify_form: AuthorityNotificationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "privacy/breach_detail.html",
        {
            "breach": breach,
            "overdue": breach.is_overdue(),
            "form": form or BreachForm(instance=breach),
            "notify_form": notify_form
            or AuthorityNotificationForm(breach=breach, initial={"language": get_language()}),
            "communications": breach.communications.select_related("message").order_by("pk"),
            "reminders": breach.reminders.order_by("hours"),
        },
        status=status,
    )


@require_GET
@operator_required
def breach_detail(request: HttpRequest, breach_id: int) -> HttpResponse:
    return _detail(request, get_object_or_404(Breach, pk=breach_id))


@require_POST
@operator_required
def breach_edit(request: HttpRequest, breach_id: int) -> HttpResponse:
    breach = get_object_or_404(Breach, pk=breach_id)
    form = BreachForm(request.POST, instance=Breach.objects.get(pk=breach.pk))
    if not form.is_valid():
        return _detail(request, breach, form=form, status=400)
    breaches.update_breach(breach=breach, actor=_operator(request), values=form.cleaned_data)
    messages.success(request, _("Breach record saved."))
    return redirect("privacy:breach", breach_id=breach.pk)


@require_POST
@operator_required
def breach_notified(request: HttpRequest, breach_id: int) -> HttpResponse:
    breach = get_object_or_404(Breach, pk=breach_id)
    form = AuthorityNotificationForm(request.POST, breach=breach)
    if not form.is_valid():
        return _detail(request, breach, notify_form=form, status=400)
    data = form.cleaned_data
    breaches.record_authority_notification(
        breach=breach,
        actor=_operator(request),
        channel=data["channel"],
        reference=data["reference"],
        delay_reasons=data["delay_reasons"],
        language=data["language"],
    )
    messages.success(request, _("The notification to the authority is recorded."))
    return redirect("privacy:breach", breach_id=breach.pk)


@require_POST
@operator_required
def breach_communicate(request: HttpRequest, breach_id: int) -> HttpResponse:
    breach = get_object_or_404(Breach, pk=breach_id)
    if not breach.high_risk:
        return HttpResponseBadRequest(_("Members are written to only when the risk is high."))
    count = breaches.communicate_to_members(breach=breach, actor=_operator(request))
    messages.success(request, _("%(count)s emails queued.") % {"count": count})
    return redirect("privacy:breach", breach_id=breach.pk)


def _document_language(request: HttpRequest) -> str | None:
    form = DocumentLanguageForm(request.GET)
    if not form.is_valid():
        return None
    return str(form.cleaned_data["lang"] or get_language())


@require_GET
@operator_required
def breach_notification(request: HttpRequest, breach_id: int) -> HttpResponse:
    breach = get_object_or_404(Breach, pk=breach_id)
    language = _document_language(request)
    if language is None:
        return HttpResponseBadRequest(_("Unknown language."))
    return HttpResponse(render_notification_html(breach, language))


@require_GET
@operator_required
def breach_notification_pdf(request: HttpRequest, breach_id: int) -> HttpResponse:
    breach = get_object_or_404(Breach, pk=breach_id)
    language = _document_language(request)
    if language is None:
        return HttpResponseBadRequest(_("Unknown language."))
    response = HttpResponse(
        render_notification_pdf(breach, language), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{breach.reference}-{language}.pdf"'
    return response


@require_GET
@operator_required
def records(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format", "html")
    data = processing_records()
    if fmt == "json":
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
        )
        response["Content-Disposition"] = 'attachment; filename="records-of-processing.json"'
        return response
    if fmt == "csv":
        response = HttpResponse(
            processing_records_csv(data), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="records-of-processing.csv"'
        return response
    if fmt != "html":
        return HttpResponseBadRequest(_("Unknown format."))
    return render(
        request, "privacy/records.html", {"records": data, "schedule": retention_schedule()}
    )
