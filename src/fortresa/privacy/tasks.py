"""Background work of the privacy area: its emails, the 72-hour reminders, the daily purge.

Every email goes through the mail pipeline (``notifications.services.send_email``), so it
is DKIM-signed, logged, rate-limited and retried like any other; each task is idempotent.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from fortresa.notifications.addresses import InvalidRecipient
from fortresa.notifications.models import MessageLog
from fortresa.notifications.services import send_email
from fortresa.privacy.breaches import claim_due_reminders
from fortresa.privacy.conf import privacy_settings
from fortresa.privacy.models import MemberCommunication

logger = logging.getLogger(__name__)


@shared_task(name="fortresa.privacy.tasks.send_erasure_confirmation")
def send_erasure_confirmation(
    *, address: str, language: str, pseudonym: str, undo_key: str, undo_until: str
) -> None:
    config = privacy_settings()
    undo_url = (
        config.site_url + reverse("privacy:undo", args=[pseudonym, undo_key]) if undo_key else ""
    )
    send_email(
        to=address,
        kind="erasure_confirmation",
        context={
            "undo_url": undo_url,
            "undo_until": dt.datetime.fromisoformat(undo_until) if undo_until else None,
            "dpo_contact": config.dpo_contact or config.controller_contact,
        },
        language=language,
    )


@shared_task(name="fortresa.privacy.tasks.send_member_communication")
def send_member_communication(communication_id: int) -> None:
    """Send one Art. 34 email and record the outcome (sent, or failed with the error)."""
    communication = (
        MemberCommunication.objects.select_related("breach")
        .filter(pk=communication_id)
        .exclude(status=MemberCommunication.Status.SENT)
        .first()
    )
    if communication is None:
        return
    config = privacy_settings()
    communication.attempts += 1
    try:
        log = send_email(
            to=communication.recipient,
            kind="breach_notice",
            context={
                "breach": communication.breach,
                "controller": config.controller,
                "dpo_contact": communication.breach.dpo_contact or config.dpo_contact,
                "controller_contact": config.controller_contact,
            },
            language=communication.language,
            user=communication.user,
        )
    except InvalidRecipient as error:
        communication.status = MemberCommunication.Status.FAILED
        communication.error = str(error)[:300]
        communication.save(update_fields=["status", "attempts", "error"])
        return
    communication.message = log
    if log.status == MessageLog.Status.QUEUED:
        communication.status = MemberCommunication.Status.SENT
        communication.sent_at = timezone.now()
        communication.error = ""
    else:
        # Refused before queueing (a bounced address, a rate limit): shown to the
        # operator, and "email every affected member" tries it again.
        communication.status = MemberCommunication.Status.FAILED
        communication.error = str(log.get_status_display())[:300]
        logger.warning("breach communication %s not sent: %s", communication_id, log.status)
    communication.save(update_fields=["status", "attempts", "error", "sent_at", "message"])


@shared_task(name="fortresa.privacy.tasks.send_breach_reminders")
def send_breach_reminders() -> int:
    """Remind the security contacts of the 72-hour clock at 24, 48 and 66 hours."""
    config = privacy_settings()
    sent = 0
    for breach, hours in claim_due_reminders():
        if not config.security_emails:
            logger.warning("breach %s: %sh reminder but no security contacts", breach, hours)
            continue
        url = config.site_url + reverse("privacy:breach", args=[breach.pk])
        for address in config.security_emails:
            send_email(
                to=address,
                kind="breach_reminder",
                context={"breach": breach, "hours": hours, "hours_left": 72 - hours, "url": url},
                language=settings.LANGUAGE_CODE,
            )
        sent += 1
    return sent


@shared_task(name="fortresa.privacy.tasks.purge_expired_data")
def purge_expired_data() -> dict[str, int]:
    """The daily retention job (see ``privacy.retention``)."""
    from fortresa.privacy.retention import purge_expired

    return purge_expired()
