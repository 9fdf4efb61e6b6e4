"""The site's URLs plus ``/bench/bare/``, a view that does nothing (only in bench/)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from fortresa.urls import urlpatterns as site_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *site_urlpatterns]
