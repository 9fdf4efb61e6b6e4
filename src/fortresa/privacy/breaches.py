"""The breach register: opening, documenting, notifying, communicating, reminding."""

from __future__ import annotations

import datetime as dt
import uuid
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from fortresa.accounts.models import User
from fortresa.clubs.models import Club
from fortresa.core.audit import record_event
from fortresa.detection.models import Alert
from fortresa.privacy.conf import privacy_settings
from fortresa.privacy.estimate import affected_members, basis_from_evidence, estimate_breach
from fortresa.privacy.models import Breach, BreachReminder, MemberCommunication

REMINDER_HOURS = (24, 48, 66)
EDITABLE_FIELDS = (
    "title",
    "aware_at",
    "occurred_from",
    "occurred_until",
    "nature",
    "facts",
    "subject_categories",
    "data_categories",
    "approx_subjects",
    "approx_records",
    "dpo_contact",
    "consequences",
    "measures",
    "high_risk",
)


class LateWithoutReasons(Exception):
    """A notification after the 72 hours must say why it is late (Art. 33(1))."""


def open_breach(
    *,
    title: str,
    aware_at: dt.datetime,
    actor: User | None,
    basis: dict[str, Any] | None = None,
    alert: Alert | None = None,
    facts: str = "",
    nature: list[str] | None = None,
) -> Breach:
    """Record a breach and estimate its reach from ``basis`` (tables, club, window)."""
    config = privacy_settings()
    estimate = estimate_breach(basis or {})
    club_id = estimate.basis.get("club_id")
    with transaction.atomic():
        breach = Breach.objects.create(
            reference=uuid.uuid4().hex[:20],
            title=title[:200],
            alert=alert,
            club=Club.objects.filter(pk=club_id).first() if club_id else None,
            aware_at=aware_at,
            occurred_from=_parse(estimate.basis.get("from")),
            occurred_until=_parse(estimate.basis.get("until")),
            nature=nature or ["confidentiality"],
            facts=facts,
            approx_subjects=estimate.subjects,
            approx_records=estimate.records,
            estimate_basis=estimate.basis,
            dpo_contact=config.dpo_contact,
            opened_by=actor,
        )
        breach.reference = f"BR-{aware_at.year}-{breach.pk:04d}"
        breach.save(update_fields=["reference"])
        record_event(
            action="privacy.breach_opened",
            actor=actor,
            club_id=club_id,
            target=f"breach:{breach.pk}",
            details={
                "reference": breach.reference,
                "alert": alert.pk if alert else None,
                "subjects": estimate.subjects,
                "records": estimate.records,
            },
        )
    return breach


def _parse(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None


def open_breach_from_alert(*, alert: Alert, actor: Any) -> str:
    """The opener detection calls for a critical alert (``FORTRESA_BREACH_RECORD_OPENER``).

    The clock starts at the alert's first sighting: the earliest moment the platform
    knew, so the deadline is never later than the law's.
    """
    basis = basis_from_evidence(alert.evidence, started=alert.first_seen, ended=alert.last_seen)
    facts = (
        f"{alert.get_kind_display()} ({alert.source}, {alert.subject}): "
        f"{alert.count}× between {alert.first_seen.isoformat()} and {alert.last_seen.isoformat()}."
    )
    breach = open_breach(
        title=str(alert.get_kind_display()),
        aware_at=alert.first_seen,
        actor=actor if isinstance(actor, User) else None,
        basis=basis,
        alert=alert,
        facts=facts,
    )
    return breach.reference


def update_breach(*, breach: Breach, actor: User, values: dict[str, Any]) -> Breach:
    """Change the record; corrected numbers are marked as the operator's, not the estimate's."""
    with transaction.atomic():
        locked = Breach.objects.select_for_update().get(pk=breach.pk)
        changed = [
            name
            for name in EDITABLE_FIELDS
            if name in values and getattr(locked, name) != values[name]
        ]
        for name in changed:
            setattr(locked, name, values[name])
        if {"approx_subjects", "approx_records"} & set(changed):
            locked.estimate_corrected = True
        locked.updated_at = timezone.now()
        locked.save()
        if changed:
            record_event(
                action="privacy.breach_updated",
                actor=actor,
                target=f"breach:{locked.pk}",
                details={"fields": changed},
            )
    return locked


def record_authority_notification(
    *,
    breach: Breach,
    actor: User,
    channel: str,
    reference: str = "",
    delay_reasons: str = "",
    language: str = "en",
    at: dt.datetime | None = None,
) -> Breach:
    """Record that the notification was sent to the supervisory authority."""
    sent_at = at or timezone.now()
    if sent_at > breach.deadline and not delay_reasons.strip():
        raise LateWithoutReasons(breach.reference)
    with transaction.atomic():
        locked = Breach.objects.select_for_update().get(pk=breach.pk)
        locked.status = Breach.Status.NOTIFIED
        locked.authority_notified_at = sent_at
        locked.authority_channel = channel[:100]
        locked.authority_reference = reference[:200]
        locked.delay_reasons = delay_reasons
        locked.document_language = language
        locked.updated_at = timezone.now()
        locked.save()
        record_event(
            action="privacy.breach_notified",
            actor=actor,
            target=f"breach:{locked.pk}",
            details={
                "reference": locked.reference,
                "authority": privacy_settings().authority.name,
                "channel": channel,
                "late": sent_at > locked.deadline,
            },
        )
    return locked


def communicate_to_members(*, breach: Breach, actor: User) -> int:
    """Queue the Art. 34 email to every affected member not yet written to."""
    from fortresa.privacy.tasks import send_member_communication

    now = timezone.now()
    queued: list[int] = []
    with transaction.atomic():
        for member in affected_members(breach.estimate_basis):
            communication, created = MemberCommunication.objects.get_or_create(
                breach=breach,
                user=member,
                defaults={
                    "recipient": member.email,
                    "language": member.preferred_language,
                    "queued_at": now,
                },
            )
            if created or communication.status == MemberCommunication.Status.FAILED:
                queued.append(communication.pk)
        record_event(
            action="privacy.breach_communicated",
            actor=actor,
            target=f"breach:{breach.pk}",
            details={"reference": breach.reference, "queued": len(queued)},
        )
        for pk in queued:
            transaction.on_commit(partial(send_member_communication.delay, pk))
    return len(queued)


def due_reminder_hours(breach: Breach, now: dt.datetime) -> list[int]:
    elapsed = now - breach.aware_at
    return [h for h in REMINDER_HOURS if elapsed >= dt.timedelta(hours=h)]


def claim_due_reminders(*, now: dt.datetime | None = None) -> list[tuple[Breach, int]]:
    """Mark the reminders that are due and not yet sent; return (breach, latest mark).

    A worker that was down for a while sends one reminder with the latest mark, not
    one per missed mark.
    """
    moment = now or timezone.now()
    claimed: list[tuple[Breach, int]] = []
    open_breaches = Breach.objects.filter(
        status=Breach.Status.OPEN, aware_at__lte=moment - dt.timedelta(hours=REMINDER_HOURS[0])
    )
    with transaction.atomic():
        for breach in open_breaches.select_for_update():
            sent = set(breach.reminders.values_list("hours", flat=True))
            missing = [h for h in due_reminder_hours(breach, moment) if h not in sent]
            if not missing:
                continue
            BreachReminder.objects.bulk_create(
                BreachReminder(breach=breach, hours=h, sent_at=moment) for h in missing
            )
            claimed.append((breach, max(missing)))
    return claimed
