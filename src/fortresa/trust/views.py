"""The public security page, its signed JSON form, and a club admin's view of their club."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from fortresa.clubs.models import Role
from fortresa.clubs.selectors import access_club
from fortresa.trust import signing
from fortresa.trust.providers.transport import public_host
from fortresa.trust.selectors import report_document, security_report


def _key_context() -> dict[str, str]:
    return {
        "public_key": signing.public_key_text(),
        "key_fingerprint": signing.key_fingerprint(),
        "algorithm": signing.ALGORITHM,
    }


@require_GET
def security_page(request: HttpRequest) -> HttpResponse:
    report = security_report(now=timezone.now())
    with timezone.override(dt.UTC):
        return render(
            request,
            "trust/page.html",
            {"report": report, "public_host": public_host(), **_key_context()},
        )


@require_GET
def security_json(request: HttpRequest) -> JsonResponse:
    # The signed document reads the same whatever language the client prefers.
    with translation.override("en"):
        envelope = signing.sign_document(report_document(security_report(now=timezone.now())))
    response = JsonResponse(envelope, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
@login_required
def club_security(request: HttpRequest, slug: str) -> HttpResponse:
    access = access_club(request.user, slug, Role.ADMIN)
    report = security_report(now=timezone.now(), club=access.club)
    with timezone.override(access.club.tzinfo):
        return render(
            request,
            "trust/club.html",
            {"report": report, "club": access.club, "public_host": public_host(), **_key_context()},
        )
