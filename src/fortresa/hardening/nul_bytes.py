"""Refuse requests carrying NUL characters in the path, the query or a form field.

NUL is never valid in anything a person types or a link holds, and PostgreSQL cannot
store it in text: letting it through turns a malformed request into a database error
deep in some view. Answering 400 here keeps that out of every view at once.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def holds_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or "\x00" in unquote(request.META.get("QUERY_STRING", "")):
        return True
    if request.method == "POST" and request.content_type in FORM_TYPES:
        return any("\x00" in value for _key, values in request.POST.lists() for value in values)
    return False


class RejectNulBytesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if holds_nul(request):
            body = render_to_string(
                "400.html",
                {"message": _("The request holds a character that is not allowed.")},
                request=request,
            )
            return HttpResponseBadRequest(body)
        return self.get_response(request)
