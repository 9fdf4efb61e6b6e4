from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fortresa.hardening.servers import TlsConfigError, https_server_argv, server_certificate


class Command(BaseCommand):
    help = "Serve Fortresa over HTTPS with granian (TLS 1.2 and 1.3 only); for a service unit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--log-level", default="info")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            certificate = server_certificate()
        except TlsConfigError as exc:
            raise CommandError(str(exc)) from exc
        argv = https_server_argv(certificate, log_level=options["log_level"])
        # Replace this process: the service manager's signals reach granian directly.
        os.execv(argv[0], argv)  # noqa: S606
