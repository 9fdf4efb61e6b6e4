"""System checks: production must have DKIM keys (nothing is sent unsigned)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from fortresa.notifications.config import email_config
from fortresa.notifications.dkim import ED25519, RSA, key_path


@register(Tags.security)
def check_dkim_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    config = email_config()
    if getattr(settings, "PROFILE", "") != "production":
        return []
    problems: list[CheckMessage] = []
    wanted = [(config.dkim_selector, RSA)]
    if config.dkim_ed25519_selector:
        wanted.append((config.dkim_ed25519_selector, ED25519))
    for selector, algorithm in wanted:
        path = key_path(config.dkim_key_dir, selector, algorithm)
        if not path.is_file():
            problems.append(
                Error(
                    f"No DKIM {algorithm} key for selector {selector!r} at {path}.",
                    hint="Run `fortresa email dkim-keygen --selector ...` and publish the record.",
                    id="fortresa.E301",
                )
            )
    return problems
