"""System checks: a missing login-security piece fails ``fortresa check``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

REQUIRED_MIDDLEWARE = (
    "fortresa.accounts.middleware.SessionLifetimeMiddleware",
    "fortresa.accounts.middleware.StaffGateMiddleware",
)


@register("security")
def check_login_security_middleware(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    installed = list(settings.MIDDLEWARE)
    auth = "django.contrib.auth.middleware.AuthenticationMiddleware"
    errors: list[CheckMessage] = []
    for index, name in enumerate(REQUIRED_MIDDLEWARE, start=1):
        if (
            name not in installed
            or auth not in installed
            or installed.index(name) < installed.index(auth)
        ):
            errors.append(
                Error(
                    f"{name} must be in MIDDLEWARE after AuthenticationMiddleware",
                    hint="Without it sessions do not time out or staff pages skip two-factor.",
                    id=f"fortresa.E10{index}",
                )
            )
    return errors
