"""One typed reader for Fortresa's configuration.

Every setting comes from the process environment. A secret may instead be given as
``NAME_FILE=/path`` (Docker and systemd credentials style). In the embedded profile a
missing secret is generated once into ``var/secrets/`` with mode 0600; in production a
missing or placeholder secret stops the process with a message naming it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from fortresa.core.secretfiles import create_text_once

PROFILES = ("embedded", "test", "production")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
# Values that mean "somebody copied the example and forgot to change it".
_PLACEHOLDERS = {"changeme", "change-me", "secret", "password", "insecure", "xxx"}


class ConfigError(ImproperlyConfigured):
    """A configuration value is missing or malformed; the message names the variable."""


class Env:
    """Reads typed values from an environment mapping.

    Reading happens when a setting is asked for, never at import time, so tests can
    build an ``Env`` over any mapping.
    """

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        *,
        secrets_dir: Path | None = None,
        generate_secrets: bool = False,
    ) -> None:
        self._environ = os.environ if environ is None else environ
        self._secrets_dir = secrets_dir
        self._generate = generate_secrets

    def has(self, name: str) -> bool:
        return name in self._environ

    def text(self, name: str, default: str | None = None) -> str:
        value = self._environ.get(name)
        if value is None:
            if default is None:
                raise ConfigError(f"{name} must be set")
            return default
        return value

    def flag(self, name: str, default: bool) -> bool:
        raw = self._environ.get(name)
        if raw is None:
            return default
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ConfigError(f"{name} must be a boolean (true/false), got {raw!r}")

    def integer(self, name: str, default: int, *, minimum: int | None = None) -> int:
        raw = self._environ.get(name)
        if raw is None:
            return default
        try:
            value = int(raw.strip())
        except ValueError:
            raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
        if minimum is not None and value < minimum:
            raise ConfigError(f"{name} must be at least {minimum}, got {value}")
        return value

    def items(self, name: str, default: list[str] | None = None) -> list[str]:
        raw = self._environ.get(name)
        if raw is None:
            return list(default or [])
        return [item.strip() for item in raw.split(",") if item.strip()]

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = self.text(name, default).strip().lower()
        if value not in choices:
            raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
        return value

    def secret(self, name: str, *, nbytes: int = 48) -> str:
        """Return the secret ``name`` from the environment, ``NAME_FILE`` or ``var/secrets``.

        Fails loudly when it is missing and cannot be generated, or is a placeholder.
        """
        value = self._environ.get(name)
        file_name = self._environ.get(f"{name}_FILE")
        if value is None and file_name:
            try:
                value = Path(file_name).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(f"{name}_FILE={file_name} cannot be read: {exc}") from None
        if value is None and self._secrets_dir is not None:
            value = self._stored_secret(name, nbytes)
        if value is None:
            raise ConfigError(f"{name} is a required secret: set {name} or {name}_FILE")
        if value.strip().lower() in _PLACEHOLDERS or len(value) < 16:
            raise ConfigError(f"{name} is too short or a placeholder; generate a random value")
        return str(value)

    def _stored_secret(self, name: str, nbytes: int) -> str | None:
        assert self._secrets_dir is not None  # noqa: S101 - guarded by caller
        path = self._secrets_dir / name.lower()
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        if not self._generate:
            return None
        # Two processes starting together both end up with the first one's whole value.
        return create_text_once(path, secrets.token_urlsafe(nbytes))
