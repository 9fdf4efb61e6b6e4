from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from fortresa.core.request import client_ip
from fortresa.hardening.ratelimit import CacheRateLimit
from fortresa.hardening.reports import MAX_BODY_BYTES, ReportRejected, parse_reports
from fortresa.hardening.security_txt import security_txt
from fortresa.hardening.services import store_csp_reports

# Every sender together may not store more than this many times one sender's budget.
_GLOBAL_FACTOR = 20


@csrf_exempt  # browsers post reports without cookies or a token; nothing here is privileged
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Store a CSP violation report: 204, or 4xx for anything we will not store."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
        return HttpResponse(status=413)
    ip_address = client_ip(request)
    budget = settings.FORTRESA_CSP_REPORTS_PER_MINUTE
    per_sender = CacheRateLimit("csp-report", budget)
    everyone = CacheRateLimit("csp-report-all", budget * _GLOBAL_FACTOR)
    if not per_sender.allow(ip_address or "unknown") or not everyone.allow("all"):
        return HttpResponse(status=429, headers={"Retry-After": "60"})
    try:
        reports = parse_reports(request.content_type or "", request.body)
    except ReportRejected as exc:
        return HttpResponse(str(exc), status=exc.status, content_type="text/plain")
    store_csp_reports(
        reports=reports,
        ip_address=ip_address,
        user_agent=str(request.META.get("HTTP_USER_AGENT", "")),
    )
    return HttpResponse(status=204)


@require_GET
@cache_control(max_age=3600, public=True)
def security_txt_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(security_txt(), content_type="text/plain; charset=utf-8")


@require_GET
def security_policy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "hardening/security_policy.html",
        {"contacts": settings.FORTRESA_SECURITY_CONTACT},
    )
