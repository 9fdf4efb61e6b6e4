from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fortresa.core.audit import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. 'audit verify' checks the hash chain and names the first broken row."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "intact": report.intact,
                        "checked": report.checked,
                        "first_broken_id": report.first_broken_id,
                        "reason": report.reason,
                    }
                )
            )
        elif report.intact:
            self.stdout.write(
                self.style.SUCCESS(f"audit chain intact: {report.checked} events checked")
            )
        if not report.intact:
            raise CommandError(
                f"audit chain broken at event #{report.first_broken_id}: {report.reason} "
                f"({report.checked} events read)"
            )
