from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fortresa.core.demo import DEMO_LOGINS, demo_password, seed_demo


class Command(BaseCommand):
    help = "Create or refresh the demo club and its users (never in production)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PROFILE == "production":
            raise CommandError("seed_demo refuses to run in production")
        password = demo_password(Path(settings.VAR_DIR) / "secrets")
        club = seed_demo(password=password)
        self.stdout.write(f"demo club {club.slug!r} ready; logins: {', '.join(DEMO_LOGINS)}")
