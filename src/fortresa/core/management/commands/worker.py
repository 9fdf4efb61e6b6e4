from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the Celery worker with the beat scheduler embedded (-B)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--concurrency", type=int, choices=(1, 2, 3, 4), default=1, help="pool processes"
        )
        parser.add_argument("--loglevel", default="INFO")
        parser.add_argument(
            "--no-beat",
            action="store_true",
            help="do not embed the scheduler (run exactly one beat per deployment)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from fortresa.celery import app

        if not settings.REDIS_URL:
            # The filesystem broker exchanges messages through these folders.
            for folder in ("queue", "queue-done", "queue-control"):
                (Path(settings.VAR_DIR) / folder).mkdir(parents=True, exist_ok=True, mode=0o700)
        concurrency = options["concurrency"]
        argv = [
            "worker",
            f"--concurrency={concurrency}",
            # One task at a time needs no pool process: the solo pool runs it in place.
            "--pool=solo" if concurrency == 1 else "--pool=prefork",
            f"--loglevel={options['loglevel']}",
            # The filesystem broker has no fanout exchange: no remote control or gossip.
            "--without-mingle",
            "--without-gossip",
        ]
        if not settings.REDIS_URL:
            argv.append("--without-heartbeat")
        if not options["no_beat"]:
            argv += ["--beat", f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}"]
        app.worker_main(argv=argv)
