"""``fortresa db roles|harden|audit``: database access policy, applied and checked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fortresa.core.env import Env
from fortresa.dbaccess.config import DatabaseAccess, role_passwords
from fortresa.dbaccess.connections import open_admin_connection
from fortresa.dbaccess.firewall import render_nftables
from fortresa.dbaccess.serverconf import render_server_files
from fortresa.dbaccess.services import apply_database_roles, audit_database

HARDEN_FILES = ("postgresql.fortresa.conf", "pg_hba.conf", "pg_ident.conf", "fortresa-db.nft")


class Command(BaseCommand):
    help = (
        "Database access policy. 'db roles' creates or updates the roles and grants; "
        "'db harden' writes postgresql.conf, pg_hba.conf, pg_ident.conf and an nftables "
        "ruleset from the settings; 'db audit' checks a live server and exits non-zero "
        "on any deviation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        roles = actions.add_parser("roles", help="create or update roles and grants")
        roles.add_argument("--json", action="store_true", help="print the changes as JSON")
        harden = actions.add_parser("harden", help="write server configuration files")
        harden.add_argument("--output-dir", required=True, type=Path)
        harden.add_argument(
            "--config-dir",
            type=Path,
            help="where the files will live on the server (default: the output directory)",
        )
        audit = actions.add_parser("audit", help="check a live server against the policy")
        audit.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        access: DatabaseAccess = settings.FORTRESA_DB_ACCESS
        action = options["action"]
        if action == "harden":
            self._harden(access, options["output_dir"], options["config_dir"])
            return
        try:
            if action == "roles":
                self._roles(access, as_json=options["json"])
            else:
                self._audit(access, as_json=options["json"])
        except psycopg.OperationalError as exc:
            raise CommandError(
                f"cannot reach the database server as an administrator: {exc}".strip()
            ) from None

    def _harden(self, access: DatabaseAccess, output_dir: Path, config_dir: Path | None) -> None:
        output_dir.mkdir(parents=True, exist_ok=True)
        files = render_server_files(access, config_dir=(config_dir or output_dir).resolve())
        contents = (files.postgresql_conf, files.pg_hba, files.pg_ident, render_nftables(access))
        for name, text in zip(HARDEN_FILES, contents, strict=True):
            path = output_dir / name
            path.write_text(text, encoding="utf-8")
            path.chmod(0o640)
            self.stdout.write(f"wrote {path}")

    def _roles(self, access: DatabaseAccess, *, as_json: bool) -> None:
        passwords = role_passwords(access, env=Env(), databases=settings.DATABASES)
        with open_admin_connection(access) as conn:
            changes = apply_database_roles(
                actor=None, conn=conn, access=access, passwords=passwords
            )
        if as_json:
            self.stdout.write(json.dumps([change.__dict__ for change in changes]))
            return
        for change in changes:
            state = "created" if change.created else "updated"
            secret = ", password set" if change.password_set else ""
            self.stdout.write(f"{change.key:<10} {change.role}: {state}{secret}")

    def _audit(self, access: DatabaseAccess, *, as_json: bool) -> None:
        with open_admin_connection(access) as conn:
            report, run = audit_database(actor=None, conn=conn, access=access)
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "server": report.server,
                        "passed": report.passed,
                        "ran_at": run.ran_at.isoformat(),
                        "findings": [f.as_dict() for f in report.findings],
                    }
                )
            )
        else:
            for finding in report.findings:
                self.stdout.write(
                    f"{finding.severity:<7} {finding.code:<24} {finding.subject}: {finding.message}"
                )
        if not report.passed:
            raise CommandError(
                f"database audit of {report.server} failed: {len(report.errors)} deviations"
            )
        if not as_json:
            self.stdout.write(self.style.SUCCESS(f"database audit of {report.server} passed"))
