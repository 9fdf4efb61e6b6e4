"""``fortresa check``: Django's checks with ``--deploy`` always on, plus Fortresa's own.

In production any warning fails the command (exit 1), so a deployment script that runs
``fortresa check`` stops on a weakened setting. ``--json`` prints the findings as a list.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.management.base import CommandError, CommandParser
from django.core.management.commands.check import Command as DjangoCheckCommand

LEVEL_NAMES = {
    checks.DEBUG: "DEBUG",
    checks.INFO: "INFO",
    checks.WARNING: "WARNING",
    checks.ERROR: "ERROR",
    checks.CRITICAL: "CRITICAL",
}


class Command(DjangoCheckCommand):
    help = (
        "Run Django's deployment checks and Fortresa's security checks (fortresa.W0xx); "
        "in production any warning exits non-zero."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--json", action="store_true", help="print findings as JSON")

    def handle(self, *app_labels: Any, **options: Any) -> None:
        options["deploy"] = True
        if settings.PROFILE == "production" and options["fail_level"] == "ERROR":
            options["fail_level"] = "WARNING"
        if not options["json"]:
            super().handle(*app_labels, **options)
            return
        found = checks.run_checks(
            tags=options["tags"] or None,
            include_deployment_checks=True,
            databases=options["databases"],
        )
        silenced = set(settings.SILENCED_SYSTEM_CHECKS)
        visible = [message for message in found if message.id not in silenced]
        self.stdout.write(
            json.dumps(
                [
                    {
                        "id": message.id,
                        "level": LEVEL_NAMES.get(message.level, str(message.level)),
                        "message": str(message.msg),
                        "hint": str(message.hint or ""),
                        "object": str(message.obj) if message.obj is not None else "",
                    }
                    for message in visible
                ],
                indent=2,
            )
        )
        fail_level = getattr(checks, options["fail_level"])
        if any(message.level >= fail_level for message in visible):
            raise CommandError(
                f"{len(visible)} finding(s) at or above {options['fail_level']}", returncode=1
            )
