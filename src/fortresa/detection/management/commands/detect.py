"""``fortresa detect classify`` and ``fortresa detect watch``."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fortresa.detection.rules import classify
from fortresa.detection.sensors.auth import poll_security_events
from fortresa.detection.sensors.csp import poll_csp_reports
from fortresa.detection.sensors.pglog import PgLogAnalyzer, follow_once


class Command(BaseCommand):
    help = "Threat detection: classify inputs from stdin, or watch the PostgreSQL log and events."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("classify", help="Read one input per line on stdin; one JSON line out each.")
        watch = sub.add_parser("watch", help="Follow the PostgreSQL jsonlog and account events.")
        watch.add_argument(
            "--pglog",
            default=str(getattr(settings, "FORTRESA_PG_JSONLOG", "") or ""),
            help="jsonlog file or log directory (default: FORTRESA_PG_JSONLOG)",
        )
        watch.add_argument("--interval", type=float, default=0.5, help="seconds between polls")
        watch.add_argument("--once", action="store_true", help="read what is there, then stop")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "classify":
            self._classify()
        else:
            self._watch(options["pglog"], options["interval"], options["once"])

    def _classify(self) -> None:
        out = self.stdout
        for line in sys.stdin:
            text = line.rstrip("\n").rstrip("\r")
            verdict = classify(text)
            out.write(
                json.dumps(
                    {"input": text, "verdict": verdict.verdict, "rule": verdict.rule},
                    ensure_ascii=False,
                )
            )

    def _watch(self, pglog: str, interval: float, once: bool) -> None:
        if interval <= 0:
            raise CommandError("--interval must be positive")
        path = Path(pglog) if pglog else None
        analyzer = PgLogAnalyzer()
        if not once:
            where = str(path) if path else "no PostgreSQL log (FORTRESA_PG_JSONLOG unset)"
            self.stdout.write(f"Watching {where} and account events.")
        while True:
            records = follow_once(path, analyzer) if path else 0
            events = poll_security_events() + poll_csp_reports()
            if once:
                self.stdout.write(json.dumps({"log_records": records, "account_events": events}))
                return
            if not records and not events:
                time.sleep(interval)
