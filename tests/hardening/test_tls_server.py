"""The built-in TLS server: the "modern" policy refuses TLS 1.2, and SIGHUP makes it serve
a renewed certificate without failing a single request in between."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from fortresa.hardening.servers import ServerCertificate, https_server_argv
from fortresa.hardening.tls import ensure_local_ca
from fortresa.hardening.tls_policy import (
    GRANIAN_RELOAD_ARGUMENTS,
    granian_tls_arguments,
    tls_policy,
)
from tests.ports import free_port

pytestmark = pytest.mark.slow


def _argv(settings: Any, tls_dir: Path, port: int, policy: str) -> list[str]:
    files = ensure_local_ca(tls_dir).files
    settings.HTTPS_PORT, settings.WEB_WORKERS, settings.BIND_ADDRESS = port, 1, "127.0.0.1"
    argv = https_server_argv(ServerCertificate(files.server_cert, files.server_key, files.ca_cert))
    at = argv.index("--ssl-protocol-min")
    argv = argv[:at] + granian_tls_arguments(policy) + argv[at + 2 :]
    return argv[:-1] + GRANIAN_RELOAD_ARGUMENTS + argv[-1:]


@contextlib.contextmanager
def _granian(argv: list[str], port: int, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "FORTRESA_PROFILE": "test", "FORTRESA_VAR_DIR": str(tmp_path)}
    env["DJANGO_SETTINGS_MODULE"] = "fortresa.settings"
    log = (tmp_path / "granian.log").open("wb")
    process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            assert process.poll() is None, "granian exited"
            assert time.monotonic() < deadline, "granian did not listen"
            time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _context(ca: Path, version: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca))
    if version is not None:
        context.minimum_version = context.maximum_version = version
    return context


def _served_serial(port: int, ca: Path) -> int:
    with (
        socket.create_connection(("127.0.0.1", port), 5) as raw,
        _context(ca).wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der).serial_number


def _get_static(port: int, ca: Path) -> int:
    request = (
        b"GET /static/fortresa/site.css HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    with (
        socket.create_connection(("127.0.0.1", port), 5) as raw,
        _context(ca).wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        tls.sendall(request)
        head = tls.recv(64)
    return int(head.split(b" ")[1])


def test_modern_policy_refuses_tls_1_2_and_accepts_tls_1_3(settings: Any, tmp_path: Path) -> None:
    port = free_port()
    argv = _argv(settings, tmp_path / "tls", port, "modern")
    ca = tmp_path / "tls" / "ca.pem"
    with _granian(argv, port, tmp_path):
        with (
            pytest.raises(ssl.SSLError),
            socket.create_connection(("127.0.0.1", port), 5) as raw,
            _context(ca, ssl.TLSVersion.TLSv1_2).wrap_socket(raw, server_hostname="localhost"),
        ):
            pass
        with (
            socket.create_connection(("127.0.0.1", port), 5) as raw,
            _context(ca, ssl.TLSVersion.TLSv1_3).wrap_socket(
                raw, server_hostname="localhost"
            ) as tls,
        ):
            assert tls.version() == "TLSv1.3"


def test_sighup_serves_renewed_certificate_without_failing_requests(
    settings: Any, tmp_path: Path
) -> None:
    port = free_port()
    tls_dir = tmp_path / "tls"
    argv = _argv(settings, tls_dir, port, "intermediate")
    ca = tls_dir / "ca.pem"
    with _granian(argv, port, tmp_path) as server:
        before = _served_serial(port, ca)
        outcomes: list[int | str] = []
        stop = threading.Event()

        def keep_asking() -> None:
            while not stop.is_set():
                try:
                    outcomes.append(_get_static(port, ca))
                except (OSError, ValueError, IndexError) as exc:
                    outcomes.append(repr(exc))

        asker = threading.Thread(target=keep_asking)
        asker.start()
        try:
            # When the certificate is renewed on disk and the server is told so
            (tls_dir / "server.pem").unlink()
            assert ensure_local_ca(tls_dir).server_issued
            server.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + 60
            while _served_serial(port, ca) == before:
                assert time.monotonic() < deadline, "still serving the old certificate"
                time.sleep(0.2)
            time.sleep(0.5)
        finally:
            stop.set()
            asker.join(timeout=30)

    # Then every request in between was answered
    assert outcomes
    assert all(outcome == 200 for outcome in outcomes), [o for o in outcomes if o != 200][:5]


def test_unknown_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown TLS policy"):
        tls_policy("legacy")
