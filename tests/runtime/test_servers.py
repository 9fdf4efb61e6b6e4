from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from fortresa.hardening.servers import server_certificate
from fortresa.hardening.tls import ensure_local_ca

pytestmark = pytest.mark.smoke


def _embedded(settings: Any, var_dir: Path) -> None:
    settings.PROFILE = "embedded"
    settings.VAR_DIR = var_dir
    settings.TLS_CERT = str(var_dir / "tls" / "server.pem")
    settings.TLS_KEY = str(var_dir / "tls" / "server-key.pem")


def test_embedded_default_serves_a_certificate_of_its_local_ca(
    settings: Any, tmp_path: Path
) -> None:
    _embedded(settings, tmp_path)

    certificate = server_certificate()

    assert certificate.local_ca == tmp_path / "tls" / "ca.pem"
    assert certificate.cert.exists()
    assert certificate.key.exists()


def test_embedded_default_uses_a_certificate_it_is_given(settings: Any, tmp_path: Path) -> None:
    given = ensure_local_ca(tmp_path / "elsewhere").files
    _embedded(settings, tmp_path / "var")
    settings.TLS_CERT, settings.TLS_KEY = str(given.server_cert), str(given.server_key)

    certificate = server_certificate()

    assert (certificate.cert, certificate.key, certificate.local_ca) == (
        given.server_cert,
        given.server_key,
        None,
    )
    assert not (tmp_path / "var" / "tls").exists()


def test_production_never_generates_a_certificate(settings: Any, tmp_path: Path) -> None:
    _embedded(settings, tmp_path)
    settings.PROFILE = "production"

    with pytest.raises(CommandError, match="FORTRESA_TLS_CERT"):
        call_command("serve")

    assert not (tmp_path / "tls").exists()


def test_run_refuses_production(settings: Any, tmp_path: Path) -> None:
    _embedded(settings, tmp_path)
    settings.PROFILE = "production"

    with pytest.raises(CommandError, match="fortresa serve"):
        call_command("run")

    assert list(tmp_path.iterdir()) == []


def test_run_names_the_variable_when_its_port_is_taken(settings: Any, tmp_path: Path) -> None:
    _embedded(settings, tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        settings.BIND_ADDRESS = "127.0.0.1"
        settings.HTTPS_PORT = taken.getsockname()[1]

        with pytest.raises(CommandError, match="already in use.*FORTRESA_HTTPS_PORT"):
            call_command("run")

    assert list(tmp_path.iterdir()) == []
