"""``fortresa email …``: DNS records, DNS check, DKIM keys, the queue, the bounce mailbox."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from fortresa.notifications import dkim
from fortresa.notifications.config import email_config
from fortresa.notifications.delivery import due_message_ids
from fortresa.notifications.dns import OK, check_domain, expected_records, make_resolver
from fortresa.notifications.feedback import process_inbound
from fortresa.notifications.models import MessageLog, PendingMessage
from fortresa.notifications.services import record_dns_check
from fortresa.notifications.tasks import deliver_due_messages


class Command(BaseCommand):
    help = "Email: DNS records to publish, DNS check, DKIM keys, queue, bounce mailbox."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        records = sub.add_parser("dns", help="print the SPF, DKIM and DMARC records to publish")
        records.add_argument("--domain", default="")
        records.add_argument("--json", action="store_true")
        check = sub.add_parser("check-dns", help="look the records up; exit 1 on any problem")
        check.add_argument("--domain", default="")
        check.add_argument(
            "--nameserver", default="", help="host[:port] to ask instead of the system resolver"
        )
        check.add_argument("--json", action="store_true")
        keygen = sub.add_parser("dkim-keygen", help="generate a DKIM key under a new selector")
        keygen.add_argument("--selector", required=True)
        keygen.add_argument("--algorithm", choices=(dkim.RSA, dkim.ED25519), default=dkim.RSA)
        keygen.add_argument("--json", action="store_true")
        queue = sub.add_parser("queue", help="messages by status and how many are queued")
        queue.add_argument("--json", action="store_true")
        sub.add_parser("deliver", help="send every queued message that is due now")
        sub.add_parser(
            "inbound", help="handle one bounce, complaint or unsubscribe read from stdin"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        getattr(self, f"_{action}")(options)

    def _emit(self, options: dict[str, Any], document: Any, text: str) -> None:
        self.stdout.write(json.dumps(document, indent=2) if options.get("json") else text)

    def _dns(self, options: dict[str, Any]) -> None:
        config = email_config()
        domain = options["domain"] or config.domain
        records = expected_records(config, domain)
        text = "\n".join(f'{r.name}. IN TXT "{r.value}"' for r in records)
        self._emit(options, [r.__dict__ for r in records], text)

    def _check_dns(self, options: dict[str, Any]) -> None:
        config = email_config()
        domain = options["domain"] or config.domain
        findings = check_domain(
            domain, config=config, resolver=make_resolver(options["nameserver"])
        )
        text = "\n".join(
            f"{f.status.upper():9} {f.record:15} {f.name}: {f.detail}" for f in findings
        )
        self._emit(options, [f.as_dict() for f in findings], text)
        record_dns_check(domain=domain, findings=[f.as_dict() for f in findings])
        if any(f.status != OK for f in findings):
            raise CommandError("the email DNS records have problems (see above)", returncode=1)

    def _dkim_keygen(self, options: dict[str, Any]) -> None:
        config = email_config()
        try:
            key = dkim.generate_key(config.dkim_key_dir, options["selector"], options["algorithm"])
        except FileExistsError:
            raise CommandError(
                f"a {options['algorithm']} key for selector {options['selector']!r} exists already"
            ) from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        name = f"{key.selector}._domainkey.{config.domain}"
        path = dkim.key_path(config.dkim_key_dir, key.selector, key.algorithm)
        document = {
            "selector": key.selector,
            "algorithm": key.algorithm,
            "key_file": str(path),
            "name": name,
            "value": key.public_record(),
        }
        self._emit(
            options,
            document,
            f'Key written to {path} (mode 0600).\nPublish: {name}. IN TXT "{key.public_record()}"',
        )

    def _queue(self, options: dict[str, Any]) -> None:
        counts = dict(
            MessageLog.objects.values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        document = {
            "by_status": counts,
            "queued": PendingMessage.objects.count(),
            "due": len(due_message_ids()),
        }
        lines = [f"{status}: {n}" for status, n in sorted(counts.items())]
        lines.append(f"queued now: {document['queued']} ({document['due']} due)")
        self._emit(options, document, "\n".join(lines))

    def _deliver(self, options: dict[str, Any]) -> None:
        outcome = deliver_due_messages()
        self.stdout.write(json.dumps(outcome))

    def _inbound(self, options: dict[str, Any]) -> None:
        self.stdout.write(process_inbound(sys.stdin.buffer.read()))
