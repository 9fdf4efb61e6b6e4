from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET


@require_GET
def club_home(request: HttpRequest, slug: str) -> HttpResponse:
    return redirect("bookings:day", slug=slug)
