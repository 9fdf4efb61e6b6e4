"""Command lines of the two listeners: the HTTPS application server and the HTTP redirect.

Both are granian. The HTTPS one serves Django over WSGI with the configured TLS policy
(``intermediate``: TLS 1.2 and 1.3; ``modern``: TLS 1.3 only) and reloads its certificate
on SIGHUP without dropping connections; the HTTP one serves only ``hardening.redirect``
and never Django.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from fortresa.hardening.tls import (
    TlsConfigError,
    TlsFiles,
    ensure_local_ca,
    production_tls_files,
)
from fortresa.hardening.tls_policy import GRANIAN_RELOAD_ARGUMENTS, granian_tls_arguments


@dataclass(frozen=True)
class ServerCertificate:
    cert: Path
    key: Path
    # The CA a browser must trust, when it is our own local one.
    local_ca: Path | None


def server_certificate() -> ServerCertificate:
    """The certificate to serve: the operator's in production, else the local CA's.

    In the embedded default the local CA is created or renewed as needed, unless
    ``FORTRESA_TLS_CERT``/``FORTRESA_TLS_KEY`` point somewhere else.
    """
    tls_dir = Path(settings.VAR_DIR) / "tls"
    generated = TlsFiles.in_dir(tls_dir)
    configured = (Path(settings.TLS_CERT).resolve(), Path(settings.TLS_KEY).resolve())
    wants_local = configured == (generated.server_cert, generated.server_key)
    if settings.PROFILE == "production" or not wants_local:
        cert, key = production_tls_files(settings.TLS_CERT, settings.TLS_KEY)
        return ServerCertificate(cert=cert, key=key, local_ca=None)
    result = ensure_local_ca(tls_dir)
    return ServerCertificate(
        cert=result.files.server_cert, key=result.files.server_key, local_ca=result.files.ca_cert
    )


def wsgi_target() -> str:
    """``WSGI_APPLICATION`` (``package.module.name``) as granian names it (``module:name``)."""
    module, _, name = str(settings.WSGI_APPLICATION).rpartition(".")
    return f"{module}:{name}"


def https_server_argv(certificate: ServerCertificate, *, log_level: str = "info") -> list[str]:
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        settings.BIND_ADDRESS,
        "--port",
        str(settings.HTTPS_PORT),
        "--workers",
        str(settings.WEB_WORKERS),
        "--blocking-threads",
        "1",
        "--ssl-certificate",
        str(certificate.cert),
        "--ssl-keyfile",
        str(certificate.key),
        *granian_tls_arguments(settings.FORTRESA_TLS_POLICY),
        *GRANIAN_RELOAD_ARGUMENTS,
        "--no-ws",
        "--log-level",
        log_level,
        wsgi_target(),
    ]


def redirect_server_argv(*, log_level: str = "warning") -> list[str]:
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        settings.BIND_ADDRESS,
        "--port",
        str(settings.HTTP_PORT),
        "--workers",
        "1",
        "--blocking-threads",
        "1",
        "--http",
        "1",
        "--no-ws",
        "--log-level",
        log_level,
        "--factory",
        "fortresa.hardening.redirect:create_application",
    ]


__all__ = [
    "ServerCertificate",
    "TlsConfigError",
    "https_server_argv",
    "redirect_server_argv",
    "server_certificate",
]
