from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def day_grid(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse("grid")


def my_bookings(request: HttpRequest) -> HttpResponse:
    return HttpResponse("mine")


def calendar(request: HttpRequest) -> HttpResponse:
    return HttpResponse("calendar")
