from django.http import HttpRequest


def csp_nonce(request: HttpRequest) -> dict[str, object]:
    """``{{ csp_nonce }}``: the request's nonce, issued when the template renders it."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
