"""Club mailings: news from a club, sent only to members who agreed to hear from it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from fortresa.accounts.models import User
from fortresa.clubs.models import Club, Membership
from fortresa.core.audit import record_event
from fortresa.notifications.addresses import one_line
from fortresa.notifications.models import ClubMailing, MailingConsent, MessageLog


def set_mailing_consent(*, user: User, club: Club, consent: bool) -> None:
    """Agree to (or stop) receiving ``club``'s news; only members may agree."""
    if not consent:
        MailingConsent.objects.filter(user=user, club=club).delete()
        return
    if not Membership.objects.filter(user=user, club=club).exists():
        raise ValueError("only members can agree to a club's news")
    MailingConsent.objects.get_or_create(
        user=user, club=club, defaults={"granted_at": timezone.now()}
    )


def withdraw_consents(*, address: str, club_id: int) -> int:
    """One-click unsubscribe from one club's news, for the account(s) at ``address``."""
    deleted, _ = MailingConsent.objects.filter(
        club_id=club_id, user__email__iexact=address
    ).delete()
    return deleted


def consenting_members(club: Club) -> list[User]:
    consenting = MailingConsent.objects.filter(club=club).values("user_id")
    return [
        membership.user
        for membership in Membership.objects.filter(
            club=club, user__in=consenting, user__is_active=True
        )
        .select_related("user")
        .order_by("user_id")
    ]


def send_club_mailing(
    *, club: Club, subject: str, body: str, actor: User, ip_address: str | None = None
) -> ClubMailing:
    """Queue ``club``'s news to every member who consented, each in their language for the
    surrounding text. Returns the mailing with the number of messages queued."""
    from fortresa.notifications.services import send_email

    with transaction.atomic():
        mailing = ClubMailing.objects.create(
            club=club,
            subject=one_line(subject, limit=150),
            body=body,
            sent_by=actor,
            sent_at=timezone.now(),
        )
        queued = 0
        for member in consenting_members(club):
            log = send_email(
                to=member.email,
                kind="club_mailing",
                context={"club": club, "mailing": mailing},
                user=member,
                club=club,
                actor=actor,
                ip_address=ip_address,
            )
            queued += log.status == MessageLog.Status.QUEUED
        mailing.recipients = queued
        mailing.save(update_fields=["recipients"])
        record_event(
            action="club.mailing_sent",
            actor=actor,
            club_id=club.pk,
            target=f"mailing:{mailing.pk}",
            ip_address=ip_address,
            details={"recipients": queued},
        )
    return mailing
