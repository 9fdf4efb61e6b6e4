"""``fortresa backup status|full|diff|incr|verify|restore|drill|expire [--json]``."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fortresa.backups import drills, services
from fortresa.backups.config import load_config
from fortresa.backups.engines.base import BackupError
from fortresa.backups.models import Result
from fortresa.backups.selectors import backup_status, drill_summary

ACTIONS = ("status", "full", "diff", "incr", "verify", "restore", "drill", "expire")


def parse_moment(raw: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise CommandError(
            f"--to {raw!r} is not a time; write e.g. 2026-05-01T10:00:00+02:00"
        ) from None
    if moment.tzinfo is None:
        raise CommandError(
            f"--to {raw!r} has no UTC offset; add one, e.g. {raw.strip()}+00:00, so the "
            "restore cannot land an hour off"
        )
    return moment


class Command(BaseCommand):
    help = (
        "Backups: status, full, diff, incr, verify, restore --to TIME --target DIR, "
        "drill, expire. Progress goes to stderr; --json prints a report on stdout."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=ACTIONS)
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--repo", type=int, help="repository number (default: each)")
        parser.add_argument("--to", help="restore time with a UTC offset (default: latest)")
        parser.add_argument("--target", help="empty or new directory to restore into")
        parser.add_argument(
            "--in-place", action="store_true", help="restore over the live database"
        )
        parser.add_argument(
            "--yes", action="store_true", help="confirm --in-place without a prompt"
        )
        parser.add_argument("--mode", choices=("latest", "random"), default="latest")

    def handle(self, *args: Any, **options: Any) -> None:
        self._json = bool(options["json"])
        try:
            report, ok = self._dispatch(options)
        except BackupError as exc:
            if self._json:
                self.stdout.write(json.dumps({"ok": False, "error": str(exc)}))
            raise CommandError(str(exc)) from exc
        if self._json:
            self.stdout.write(json.dumps({"ok": ok, **report}, default=str, indent=2))
        else:
            self.stdout.write(self._text(options["action"], report))
        if not ok:
            raise CommandError(f"backup {options['action']} failed: {report.get('error', '')}")

    def progress(self, message: str) -> None:
        sys.stderr.write(f"  {message}\n")
        sys.stderr.flush()

    def _dispatch(self, options: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        action = options["action"]
        config = load_config()
        repo = options["repo"]
        if action == "status":
            return backup_status(config=config), True
        if action in ("full", "diff", "incr"):
            _config, engine = services.engine_for(config)
            numbers = [repo] if repo else services.repository_numbers(engine)
            runs = [
                services.run_backup(
                    kind=action, repository=n, config=config, progress=self.progress
                )
                for n in numbers
            ]
            failed = [r.error for r in runs if r.result != Result.SUCCEEDED]
            report = {
                "runs": [
                    {"repository": r.repository, "kind": r.kind, "label": r.label,
                     "size_bytes": r.size_bytes, "result": r.result, "error": r.error}
                    for r in runs
                ],
                "error": "; ".join(failed),
            }  # fmt: skip
            return report, not failed
        if action == "verify":
            _config, engine = services.engine_for(config)
            numbers = [repo] if repo else services.repository_numbers(engine)
            verified = [
                services.verify_repository(repository=n, config=config, progress=self.progress)
                for n in numbers
            ]
            problems = [p for v in verified for p in v.problems]
            report = {
                "repositories": [
                    {"repository": v.repository, "checked": v.checked, "problems": v.problems}
                    for v in verified
                ],
                "error": "; ".join(problems),
            }
            return report, not problems
        if action == "restore":
            return self._restore(options, config), True
        if action == "drill":
            _config, engine = services.engine_for(config)
            number = repo or services.repository_numbers(engine)[0]
            drill = drills.run_drill(
                mode=options["mode"], repository=number, config=config, progress=self.progress
            )
            summary = drill_summary(drill) or {}
            return {"drill": summary, "checks": drill.checks, "error": drill.error}, (
                drill.result == Result.SUCCEEDED
            )
        removed = services.expire_backups(repository=repo, config=config, progress=self.progress)
        return {"expired": {str(k): v for k, v in removed.items()}}, True

    def _restore(self, options: dict[str, Any], config: Any) -> dict[str, Any]:
        moment = parse_moment(options["to"]) if options["to"] else None
        in_place = bool(options["in_place"])
        if in_place and options["target"]:
            raise CommandError("give either --target DIR or --in-place, not both")
        if not in_place and not options["target"]:
            raise CommandError("restore needs --target DIR (an empty or new directory)")
        if in_place and not options["yes"]:
            if not sys.stdin.isatty():
                raise CommandError("--in-place replaces the live database: confirm with --yes")
            answer = input("This replaces the live database. Type 'replace' to go on: ")
            if answer.strip() != "replace":
                raise CommandError("restore cancelled")
        outcome = services.restore_database(
            target_time=moment,
            repository=options["repo"],
            target=Path(options["target"]).resolve() if options["target"] else None,
            in_place=in_place,
            config=config,
            progress=self.progress,
        )
        return {
            "repository": outcome.repository,
            "target": str(outcome.target),
            "label": outcome.label,
            "to": moment.isoformat() if moment else "latest",
        }

    def _text(self, action: str, report: dict[str, Any]) -> str:
        if action != "status":
            return json.dumps(report, default=str, indent=2)
        lines = [f"engine: {report['engine']}"]
        for repo in report["repositories"]:
            state = "reachable" if repo["reachable"] else f"UNREACHABLE ({repo['error']})"
            lines.append(f"repo{repo['number']} {repo['description']}: {state}")
            for kind, last in repo["last"].items():
                lines.append(f"  last {kind}: {last['label']} at {last['finished_at']}")
        wal = report["wal_archive"]
        lines.append(f"WAL archive lag: {wal['lag_seconds']} s {wal['detail']}".rstrip())
        drill = report["last_drill"]
        if drill:
            lines.append(
                f"last drill: {drill['result']} from repo{drill['repository']} at "
                f"{drill['started_at']} (RPO {drill['rpo_seconds']} s, "
                f"RTO {drill['rto_seconds']} s)"
            )
        else:
            lines.append("last drill: none yet")
        for alert in report["open_alerts"]:
            lines.append(f"ALERT {alert['kind']} {alert['subject']}: {alert['message']}")
        return "\n".join(lines)
