from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from fortresa.clubs.selectors import clubs_for_user, public_clubs


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    mine = clubs_for_user(request.user) if request.user.is_authenticated else []
    return render(request, "core/home.html", {"my_clubs": mine, "clubs": public_clubs()})
