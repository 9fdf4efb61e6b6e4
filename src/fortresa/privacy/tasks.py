"""Background work of the privacy area: its emails, the 72-hour reminders, the daily purge.

Emails go through Django's mail API (the mail pipeline's public API had not landed
when this was written); each task is idempotent.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from fortresa.privacy.breaches import claim_due_reminders
from fortresa.privacy.conf import privacy_settings
from fortresa.privacy.models import MemberCommunication

logger = logging.getLogger(__name__)


def _send(*, to: list[str], template: str, context: dict[str, object], language: str) -> None:
    with translation.override(language):
        subject = render_to_string(f"privacy/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"privacy/email/{template}.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    message.send()


@shared_task(name="fortresa.privacy.tasks.send_erasure_confirmation")
def send_erasure_confirmation(
    *, address: str, language: str, pseudonym: str, undo_key: str, undo_until: str
) -> None:
    config = privacy_settings()
    undo_url = (
        config.site_url + reverse("privacy:undo", args=[pseudonym, undo_key]) if undo_key else ""
    )
    _send(
        to=[address],
        template="erasure",
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
        _send(
            to=[communication.recipient],
            template="breach_member",
            context={
                "breach": communication.breach,
                "controller": config.controller,
                "dpo_contact": communication.breach.dpo_contact or config.dpo_contact,
                "controller_contact": config.controller_contact,
            },
            language=communication.language,
        )
    except OSError as exc:
        communication.status = MemberCommunication.Status.FAILED
        communication.error = str(exc)[:300]
        logger.warning("breach communication %s failed: %s", communication_id, exc)
    else:
        communication.status = MemberCommunication.Status.SENT
        communication.sent_at = timezone.now()
        communication.error = ""
    communication.save(update_fields=["status", "attempts", "error", "sent_at"])


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
        _send(
            to=list(config.security_emails),
            template="breach_reminder",
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
