"""The public API of the mail pipeline. Every email of the platform goes through
``send_email``: limits, opt-outs and suppressions are checked, the message is rendered in
the recipient's language, logged (without its body) and queued; the workers sign and
send it once the surrounding transaction commits."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fortresa.accounts.models import User
from fortresa.clubs.models import Club
from fortresa.core.audit import record_event
from fortresa.notifications import ratelimits
from fortresa.notifications.addresses import normalise_address
from fortresa.notifications.config import email_config
from fortresa.notifications.kinds import ALL, category_of, get_kind
from fortresa.notifications.models import (
    DnsCheck,
    MessageLog,
    OptOut,
    PendingMessage,
    Suppression,
)
from fortresa.notifications.rendering import new_message_id, render_message

LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _language(language: str | None, user: User | None) -> str:
    for candidate in (language, getattr(user, "preferred_language", None)):
        if candidate in LANGUAGES:
            return str(candidate)
    return str(settings.LANGUAGE_CODE)


def _raise_security_event(
    rule: ratelimits.RateLimitRule, sender: ratelimits.Sender, kind: str
) -> None:
    """A breached limit is a security event: detection's alert when it is installed."""
    if not apps.is_installed("fortresa.detection"):
        return
    from fortresa.detection.alerts import raise_alert

    identity = sender.identity(rule.scope) or ""
    raise_alert(
        kind="email_rate_limit",
        severity="medium",
        source="email",
        subject=f"{rule.name} ({rule.scope})",
        key=hashlib.sha256(identity.encode()).hexdigest(),
        evidence={
            "rule": rule.name,
            "scope": rule.scope,
            "limit": rule.limit,
            "window_seconds": rule.window,
            "email_kind": kind,
            "ip_address": sender.ip_address or "",
            "club_id": sender.club_id,
        },
    )


def is_suppressed(address: str) -> bool:
    return Suppression.objects.filter(address=address).exists()


def refuses(address: str, category: str) -> bool:
    return OptOut.objects.filter(address=address, category__in=[category, ALL]).exists()


def send_email(
    *,
    to: str,
    kind: str,
    context: Mapping[str, Any],
    language: str | None = None,
    to_name: str = "",
    user: User | None = None,
    club: Club | None = None,
    actor: User | None = None,
    ip_address: str | None = None,
) -> MessageLog:
    """Queue one email of ``kind`` to ``to``; returns its log entry.

    ``language`` falls back to ``user.preferred_language``, then the site default.
    ``actor`` and ``ip_address`` are who triggered the message (rate limits per account
    and per IP), ``club`` the club it is sent for (the club's ceiling). Raises
    ``InvalidRecipient`` for a malformed address and ``ValueError`` for an unknown kind.

    The result's ``status`` is ``queued``, or why nothing was queued (``rate_limited``,
    ``opted_out``, ``suppressed``). Callers answering a request must answer the same way
    whatever it is, so nobody learns which addresses exist or which limit was hit.
    """
    email_kind = get_kind(kind)
    address = normalise_address(to)
    chosen = _language(language, user)
    log = MessageLog(
        message_id=new_message_id(),
        kind=email_kind.identifier,
        recipient=address,
        user=user,
        club=club,
        language=chosen,
        created_at=timezone.now(),
    )
    sender = ratelimits.Sender(
        recipient=address,
        ip_address=ip_address,
        account_id=actor.pk if actor is not None else None,
        club_id=club.pk if club is not None else None,
    )
    breached = ratelimits.reserve(kind=email_kind.identifier, sender=sender)
    category = category_of(email_kind)
    if breached is not None:
        log.status = MessageLog.Status.RATE_LIMITED
        log.last_error = f"limit {breached.name}"
        log.save()
        _raise_security_event(breached, sender, email_kind.identifier)
        return log
    if is_suppressed(address) and not email_kind.bypasses_suppression:
        log.status = MessageLog.Status.SUPPRESSED
        log.save()
        return log
    if category.refusable and refuses(address, category.identifier):
        log.status = MessageLog.Status.OPTED_OUT
        log.save()
        return log
    rendered = render_message(
        kind=email_kind,
        context=context,
        language=chosen,
        address=address,
        to_name=to_name or (user.full_name if user is not None else ""),
        club_id=club.pk if club is not None else None,
        message_id=log.message_id,
    )
    with transaction.atomic():
        log.save()
        PendingMessage.objects.create(
            log=log,
            envelope_from=email_config().from_address,
            mime=rendered.mime,
            next_attempt_at=log.created_at,
        )
        log_id = log.pk
        transaction.on_commit(lambda: _deliver_soon(log_id), robust=True)
    return log


def _deliver_soon(log_id: int) -> None:
    from fortresa.notifications.tasks import deliver_message

    deliver_message.delay(log_id)


def opt_out(*, address: str, category: str, club_id: int | None = None) -> None:
    """Refuse one category (``all``: every refusable one); for club news with a club, stop
    that club's news only. Idempotent."""
    from fortresa.notifications.mailings import withdraw_consents

    if category == "club_news" and club_id is not None:
        withdraw_consents(address=address, club_id=club_id)
        return
    OptOut.objects.get_or_create(
        address=address, category=category, defaults={"created_at": timezone.now()}
    )
    record_event(action="email.opted_out", target=f"email-category:{category}")


def set_refused_categories(*, address: str, refused: set[str]) -> None:
    """Make ``refused`` exactly the refusable categories ``address`` opts out of."""
    with transaction.atomic():
        OptOut.objects.filter(address=address).exclude(category__in=refused).delete()
        for category in refused:
            OptOut.objects.get_or_create(
                address=address, category=category, defaults={"created_at": timezone.now()}
            )


def record_dns_check(*, domain: str, findings: list[dict[str, str]]) -> DnsCheck:
    """Keep the outcome of one DNS check of ``domain``: each record's status, no values."""
    results = [{"record": f["record"], "status": f["status"]} for f in findings]
    return DnsCheck.objects.create(
        domain=domain,
        checked_at=timezone.now(),
        passed=bool(results) and all(r["status"] == "ok" for r in results),
        results=results,
    )
