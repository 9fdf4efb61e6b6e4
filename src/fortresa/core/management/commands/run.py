from __future__ import annotations

import http.client
import io
import os
import socket
import ssl
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fortresa.core.demo import DEMO_LOGINS, demo_password, seed_demo
from fortresa.core.processes import ChildExited, Supervisor
from fortresa.hardening.servers import (
    ServerCertificate,
    TlsConfigError,
    https_server_argv,
    redirect_server_argv,
    server_certificate,
)

VAR_SUBDIRS = ("secrets", "tls", "queue", "queue-done", "queue-control", "cache", "mail", "static")
_LOOPBACK_OR_ANY = {"127.0.0.1", "::1", "localhost", "0.0.0.0", "::"}  # noqa: S104


class Command(BaseCommand):
    help = (
        "Run the embedded default: migrate, local CA, demo data, then the HTTPS server, "
        "the HTTP redirect, the worker and the detection watcher, until Ctrl-C or SIGTERM "
        "stops them all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stop-timeout",
            type=float,
            default=10.0,
            help="seconds a process may take to stop before it is killed",
        )
        parser.add_argument(
            "--ready-timeout",
            type=float,
            default=60.0,
            help="seconds the HTTPS server may take to answer its first request",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PROFILE == "production":
            raise CommandError(
                "`fortresa run` is the embedded default and seeds demo users; in production "
                "run `fortresa serve` and `fortresa worker` under your service manager"
            )
        try:
            certificate, password = self._prepare(Path(settings.VAR_DIR))
        except KeyboardInterrupt:
            raise CommandError("interrupted before anything was started", returncode=130) from None
        code = self._supervise(certificate, password, options)
        if code:
            raise CommandError("stopped because a process failed (see above)", returncode=code)

    def _prepare(self, var_dir: Path) -> tuple[ServerCertificate, str]:
        # Fail before the slow steps when a port is taken.
        for port, variable in (
            (settings.HTTPS_PORT, "FORTRESA_HTTPS_PORT"),
            (settings.HTTP_PORT, "FORTRESA_HTTP_PORT"),
        ):
            if not port_is_free(settings.BIND_ADDRESS, port):
                raise CommandError(
                    f"{settings.BIND_ADDRESS}:{port} is already in use; stop what listens "
                    f"there or choose another port with {variable}"
                )
        self._say(f"preparing {var_dir}")
        prepare_var_dir(var_dir)
        quiet = io.StringIO()
        call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
        call_command("compile_translations", stdout=quiet)
        call_command("collectstatic", interactive=False, verbosity=0, stdout=quiet)
        try:
            certificate = server_certificate()
        except TlsConfigError as exc:
            raise CommandError(str(exc)) from exc
        password = demo_password(var_dir / "secrets")
        seed_demo(password=password)
        return certificate, password

    def _supervise(
        self, certificate: ServerCertificate, password: str, options: dict[str, Any]
    ) -> int:
        env = {**os.environ, "FORTRESA_VAR_DIR": str(settings.VAR_DIR)}
        supervisor = Supervisor(stop_timeout=options["stop_timeout"], log=self._say)
        with supervisor.handling_signals():
            try:
                supervisor.start("HTTPS server", https_server_argv(certificate), env=env)
                supervisor.start("HTTP redirect", redirect_server_argv(), env=env)
                supervisor.start(
                    "worker", [sys.executable, "-m", "fortresa.cli", "worker"], env=env
                )
                # Turns account events, CSP reports and (when FORTRESA_PG_JSONLOG is set)
                # the database server's log into alerts as they happen.
                supervisor.start(
                    "detection watcher",
                    [sys.executable, "-m", "fortresa.cli", "detect", "watch", "--interval", "2"],
                    env=env,
                )
                ready = supervisor.wait_until(
                    lambda: https_answers(certificate), timeout=options["ready_timeout"]
                )
                if not ready and not supervisor.stop_requested:
                    self._say(
                        f"the HTTPS server did not answer within {options['ready_timeout']:.0f} s"
                    )
                    return 1
                if ready:
                    self._banner(certificate, password)
                return supervisor.supervise()
            except ChildExited as exc:
                self._say(f"{exc}; stopping the other processes")
                return 1
            finally:
                supervisor.stop()

    def _banner(self, certificate: ServerCertificate, password: str) -> None:
        host = public_host()
        https_port = "" if settings.HTTPS_PORT == 443 else f":{settings.HTTPS_PORT}"
        lines = [
            "",
            "Fortresa is running.",
            f"  Open   https://{host}{https_port}/",
            f"  (http://{host}:{settings.HTTP_PORT}/ redirects there)",
        ]
        if certificate.local_ca is not None:
            lines += [
                f"  Local CA: {certificate.local_ca}",
                "    Trust it in your browser (Settings > Certificates > Authorities > Import),",
                f"    or system-wide on Debian/Ubuntu: sudo cp {certificate.local_ca} "
                "/usr/local/share/ca-certificates/fortresa-local.crt && "
                "sudo update-ca-certificates",
                f"    or per command: curl --cacert {certificate.local_ca} https://{host}{https_port}/",
            ]
        lines += ["  Demo logins:"]
        lines += [f"    {email}" for email in DEMO_LOGINS]
        lines += [f"  Password: {password}", "Press Ctrl-C to stop.", ""]
        if settings.BIND_ADDRESS not in ("127.0.0.1", "::1", "localhost"):
            lines.insert(2, f"  WARNING: listening on {settings.BIND_ADDRESS}, not only loopback")
        self._say("\n".join(lines))

    def _say(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()


def prepare_var_dir(var_dir: Path) -> None:
    var_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name in VAR_SUBDIRS:
        (var_dir / name).mkdir(exist_ok=True, mode=0o700)


def public_host() -> str:
    address = settings.BIND_ADDRESS
    if address in _LOOPBACK_OR_ANY:
        return "localhost"
    return f"[{address}]" if ":" in address else address


def port_is_free(address: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address, port))
        except OSError:
            return False
    return True


def https_answers(certificate: ServerCertificate) -> bool:
    """Whether the HTTPS server completes a handshake and answers ``/healthz``."""
    address = settings.BIND_ADDRESS
    if address in ("0.0.0.0", "::"):  # noqa: S104
        address = "127.0.0.1" if address == "0.0.0.0" else "::1"  # noqa: S104
    context = ssl.create_default_context()
    if certificate.local_ca is not None:
        context = ssl.create_default_context(cafile=str(certificate.local_ca))
    # Connect to the bound address but check the certificate for the name it serves.
    context.check_hostname = certificate.local_ca is not None
    if certificate.local_ca is None:
        context.verify_mode = ssl.CERT_NONE  # an operator's certificate may not name us
    connection = http.client.HTTPSConnection(address, settings.HTTPS_PORT, timeout=2)
    try:
        connection.sock = context.wrap_socket(
            socket.create_connection((address, settings.HTTPS_PORT), timeout=2),
            server_hostname="localhost",
        )
        connection.request("GET", "/healthz", headers={"Host": "localhost"})
        return connection.getresponse().status < 500
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()
