"""Where personal data lives: every model field that holds data about a person is either
exported (and handled on erasure) here, or declared in ``NOT_EXPORTED`` with the reason.

``tests/privacy/test_registry.py`` walks every installed model and fails on a field that
looks personal and appears in neither place, so a new personal field cannot be
forgotten by the export, the erasure, the breach estimate or the records of processing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q

from fortresa.accounts.models import User

OwnerFilter = Callable[[User], Q]


class Erase:
    """What erasure does with a subject's rows of a model."""

    ANONYMISE = "anonymise"  # the account row itself: replaced by a pseudonym
    DELETE = "delete"  # rows that exist only for the subject
    KEEP = "keep"  # accounting and accountability rows, kept under the pseudonym
    REDACT = "redact"  # the audit log: redacted with a record the verifier accepts


def _by(*lookups: str) -> OwnerFilter:
    def owner(user: User) -> Q:
        q = Q(pk__in=[])
        for lookup in lookups:
            q |= Q(**{lookup: user.pk})
        return q

    return owner


def _by_address(field: str, *lookups: str) -> OwnerFilter:
    def owner(user: User) -> Q:
        return _by(*lookups)(user) | Q(**{f"{field}__iexact": user.email})

    return owner


@dataclass(frozen=True)
class PersonalData:
    """The personal data one model holds about its subjects."""

    model: str
    owner: OwnerFilter
    fields: tuple[str, ...]
    category: str
    erase: str
    # Fields blanked on erasure when rows are kept (free text the member wrote), on the
    # rows whose ``author`` lookup is the member.
    clear: tuple[str, ...] = ()
    author: str = ""
    # Lookup from the model to its club, for breach estimates scoped to one club.
    club: str = ""
    # Lookup from the model to the people it is about, for breach estimates.
    subjects: tuple[str, ...] = ()
    # When a row came to exist, for breach estimates bounded by a time window.
    created: str = ""

    def model_class(self) -> type[models.Model] | None:
        app_label, _, name = self.model.partition(".")
        if not apps.is_installed(f"fortresa.{app_label}") and app_label not in _DJANGO_APPS:
            return None
        try:
            return apps.get_model(app_label, name)
        except LookupError:
            return None


_DJANGO_APPS = {"admin", "auth", "contenttypes", "sessions"}

# Data categories, as the records of processing and the retention schedule name them.
CATEGORIES = {
    "identity": "Identity and contact details",
    "membership": "Club memberships and roles",
    "bookings": "Bookings, partners and guests",
    "payments": "Payments, tickets and membership fees",
    "security_logs": "Sign-in, session and security logs",
    "audit": "Audit log of security-relevant actions",
    "communications": "Emails sent and mail preferences",
    "consents": "Consents given and withdrawn",
    "operator_actions": "Actions of platform operators",
}

PERSONAL_DATA: tuple[PersonalData, ...] = (
    PersonalData(
        "accounts.User",
        _by("pk"),
        (
            "email",
            "full_name",
            "phone",
            "preferred_language",
            "date_joined",
            "last_login",
            "is_active",
            "is_staff",
            "share_contact_details",
            "calendar_feed_enabled",
            "password_changed_at",
        ),
        "identity",
        Erase.ANONYMISE,
        club="memberships__club",
        subjects=("pk",),
        created="date_joined",
    ),
    PersonalData(
        "clubs.Membership",
        _by("user"),
        ("user", "club", "membership_type", "role", "joined_at"),
        "membership",
        Erase.DELETE,
        club="club",
        subjects=("user",),
        created="joined_at",
    ),
    PersonalData(
        "clubs.Invitation",
        _by_address("email", "created_by"),
        ("club", "email", "role", "created_by", "created_at", "expires_at", "accepted_at"),
        "membership",
        Erase.DELETE,
        club="club",
        created="created_at",
    ),
    PersonalData(
        "bookings.Booking",
        _by("booked_by", "partners"),
        (
            "club",
            "court",
            "booked_by",
            "partners",
            "guest_names",
            "starts_at",
            "ends_at",
            "status",
            "note",
            "created_at",
            "cancelled_at",
            "cancelled_by",
            "amount_due",
        ),
        "bookings",
        Erase.KEEP,
        clear=("note", "guest_names"),
        author="booked_by",
        club="club",
        subjects=("booked_by", "partners"),
        created="created_at",
    ),
    PersonalData(
        "bookings.DrawEntry",
        _by("user"),
        (
            "draw",
            "user",
            "court",
            "starts_at",
            "duration_minutes",
            "partner_ids",
            "guest_names",
            "note",
            "status",
            "outcome",
            "created_at",
        ),
        "bookings",
        Erase.DELETE,
        club="draw__club",
        subjects=("user",),
        created="created_at",
    ),
    PersonalData(
        "payments.Payment",
        _by("payer"),
        (
            "club",
            "payer",
            "purpose",
            "reference",
            "provider",
            "amount",
            "currency",
            "refunded_amount",
            "state",
            "failure_reason",
            "created_at",
            "paid_at",
        ),
        "payments",
        Erase.KEEP,
        club="club",
        subjects=("payer",),
        created="created_at",
    ),
    PersonalData(
        "payments.TicketEntry",
        _by("user"),
        ("club", "user", "change", "created_at"),
        "payments",
        Erase.KEEP,
        club="club",
        subjects=("user",),
        created="created_at",
    ),
    PersonalData(
        "payments.MembershipFeePayment",
        _by("membership__user"),
        ("membership", "period_label", "created_at"),
        "payments",
        Erase.KEEP,
        club="membership__club",
        subjects=("membership__user",),
        created="created_at",
    ),
    PersonalData(
        "accounts.UserSession",
        _by("user"),
        (
            "user",
            "created_at",
            "last_seen_at",
            "ended_at",
            "ip_address",
            "user_agent",
            "privileges",
        ),
        "security_logs",
        Erase.DELETE,
        subjects=("user",),
        created="created_at",
    ),
    PersonalData(
        "accounts.SecurityEvent",
        _by("user", "actor"),
        ("kind", "user", "actor", "ip_address", "created_at", "details"),
        "security_logs",
        Erase.DELETE,
        subjects=("user",),
        created="created_at",
    ),
    PersonalData(
        "accounts.TotpDevice",
        _by("user"),
        ("user", "created_at"),
        "security_logs",
        Erase.DELETE,
        subjects=("user",),
        created="created_at",
    ),
    PersonalData(
        "accounts.RecoveryCode",
        _by("user"),
        ("user", "used_at"),
        "security_logs",
        Erase.DELETE,
        subjects=("user",),
    ),
    PersonalData(
        "accounts.Passkey",
        _by("user"),
        ("user", "name", "transports", "created_at", "last_used_at"),
        "security_logs",
        Erase.DELETE,
        subjects=("user",),
        created="created_at",
    ),
    PersonalData(
        "core.AuditEvent",
        lambda user: Q(actor_id=user.pk) | Q(target=f"user:{user.pk}"),
        ("created_at", "action", "actor_id", "actor_label", "target", "ip_address"),
        "audit",
        Erase.REDACT,
        subjects=("actor_id",),
        created="created_at",
    ),
    PersonalData(
        "admin.LogEntry",
        _by("user"),
        ("action_time", "user", "object_id", "object_repr", "action_flag", "change_message"),
        "operator_actions",
        Erase.KEEP,
        subjects=("user",),
        created="action_time",
    ),
    PersonalData(
        "detection.Alert",
        _by("state_changed_by"),
        ("kind", "severity", "state", "state_changed_by", "state_changed_at", "note"),
        "operator_actions",
        Erase.KEEP,
    ),
    PersonalData(
        "status.IncidentUpdate",
        _by("author"),
        ("incident", "status", "event", "message", "author", "created_at"),
        "operator_actions",
        Erase.KEEP,
    ),
    PersonalData(
        "status.Subscriber",
        _by_address("email"),
        ("email", "language", "created_at", "confirmation_sent_at", "confirmed_at"),
        "communications",
        Erase.DELETE,
        created="created_at",
    ),
    PersonalData(
        "notifications.MessageLog",
        _by_address("recipient", "user"),
        (
            "message_id",
            "kind",
            "recipient",
            "user",
            "club",
            "language",
            "status",
            "last_error",
            "created_at",
        ),
        "communications",
        Erase.DELETE,
        club="club",
        subjects=("user",),
        created="created_at",
    ),
    PersonalData(
        "notifications.PendingMessage",
        _by_address("log__recipient", "log__user"),
        ("log", "envelope_from", "next_attempt_at"),
        "communications",
        Erase.DELETE,
    ),
    PersonalData(
        "notifications.OptOut",
        _by_address("address"),
        ("address", "category", "created_at"),
        "communications",
        Erase.DELETE,
        created="created_at",
    ),
    PersonalData(
        "notifications.Suppression",
        _by_address("address"),
        ("address", "reason", "detail", "created_at"),
        "communications",
        Erase.DELETE,
        created="created_at",
    ),
    PersonalData(
        "notifications.FeedbackEvent",
        _by_address("address"),
        ("address", "kind", "received_at"),
        "communications",
        Erase.DELETE,
    ),
    PersonalData(
        "notifications.MailingConsent",
        _by("user"),
        ("user", "club", "granted_at"),
        "consents",
        Erase.DELETE,
        club="club",
        subjects=("user",),
    ),
    PersonalData(
        "notifications.ClubMailing",
        _by("sent_by"),
        ("club", "subject", "body", "sent_by", "sent_at"),
        "operator_actions",
        Erase.KEEP,
        club="club",
    ),
    PersonalData(
        "privacy.Consent",
        _by("user"),
        ("user", "purpose", "granted", "recorded_at"),
        "consents",
        Erase.DELETE,
        subjects=("user",),
        created="recorded_at",
    ),
    PersonalData(
        "privacy.MemberCommunication",
        _by("user"),
        ("breach", "user", "recipient", "language", "status", "error", "queued_at", "sent_at"),
        "communications",
        Erase.KEEP,
        clear=("recipient",),
        author="user",
        subjects=("user",),
    ),
    PersonalData(
        "privacy.Breach",
        _by("opened_by"),
        ("reference", "title", "opened_by", "created_at"),
        "operator_actions",
        Erase.KEEP,
    ),
)

_OPERATIONAL = "operational record of the platform, about no person"
_NEVER_EXPORTED = "authentication material: never exported, deleted on erasure"

# Fields that look personal but are not exported, each with the reason.
NOT_EXPORTED: dict[str, dict[str, str]] = {
    "auth.Permission": {"name": _OPERATIONAL, "codename": _OPERATIONAL},
    "auth.Group": {"name": _OPERATIONAL},
    "contenttypes.ContentType": {"app_label": _OPERATIONAL},
    "sessions.Session": {"session_data": "signed sign-in state; every session ends on erasure"},
    "core.AuditEvent": {
        "details": "may describe other people; the action, target and address are exported",
        "hash": "chain integrity",
        "prev_hash": "chain integrity",
    },
    "accounts.User": {"password": _NEVER_EXPORTED},
    "accounts.TotpDevice": {"encrypted_secret": _NEVER_EXPORTED},
    "accounts.Passkey": {"credential_id": _NEVER_EXPORTED, "public_key": _NEVER_EXPORTED},
    "clubs.Club": {
        "name": "the club's name (an organisation)",
        "contact_email": "the club's contact address (an organisation)",
        "languages": _OPERATIONAL,
    },
    "clubs.Court": {"name": _OPERATIONAL},
    "clubs.Closure": {"reason": "why a court is closed (tournament, maintenance)"},
    "clubs.MembershipType": {"name": _OPERATIONAL, "description": _OPERATIONAL},
    "payments.ClubGateway": {"credentials": "the club's sealed gateway credentials"},
    "payments.MembershipFee": {"period_label": _OPERATIONAL},
    "payments.TicketPack": {"name": _OPERATIONAL},
    "hardening.CspReport": dict.fromkeys(
        ("document_uri", "blocked_uri", "source_file", "sample", "user_agent", "ip_address", "raw"),
        "anonymous browser report, linked to no account; purged with the logs",
    ),
    "supplychain.AuditRun": {
        "sources": _OPERATIONAL,
        "counts": _OPERATIONAL,
        "findings": _OPERATIONAL,
        "error": _OPERATIONAL,
    },
    "dbaccess.DatabaseAuditRun": {"findings": _OPERATIONAL},
    "detection.Alert": dict.fromkeys(
        ("subject", "evidence", "source"),
        "attack evidence linked to no account (redacted at capture); purged with alerts",
    ),
    "detection.Observation": {
        "source": "short-lived counter of recent events; purged with the logs",
        "subject": "short-lived counter of recent events; purged with the logs",
    },
    "detection.KnownPrincipal": {"role": _OPERATIONAL, "source": "database client host"},
    "detection.SensorCursor": {"name": _OPERATIONAL, "identity": _OPERATIONAL},
    "status.WorkerHeartbeat": {"name": _OPERATIONAL},
    "status.Incident": {"title": _OPERATIONAL, "components": _OPERATIONAL},
    "backups.BackupRun": {"label": _OPERATIONAL, "error": _OPERATIONAL},
    "backups.VerifyRun": {"problems": _OPERATIONAL},
    "backups.DataFingerprint": {"label": _OPERATIONAL, "tables": _OPERATIONAL},
    "backups.RestoreDrill": {"checks": _OPERATIONAL, "error": _OPERATIONAL},
    "backups.BackupAlert": {
        "subject": _OPERATIONAL,
        "message": _OPERATIONAL,
        "details": _OPERATIONAL,
    },
    "notifications.PendingMessage": {
        "mime": "a message in transit, deleted once delivered; its log row is exported"
    },
    "notifications.DnsCheck": {"results": "SPF, DKIM and DMARC records of a sending domain"},
    "privacy.Breach": dict.fromkeys(
        (
            "nature",
            "facts",
            "subject_categories",
            "data_categories",
            "estimate_basis",
            "dpo_contact",
            "consequences",
            "measures",
            "authority_channel",
            "authority_reference",
            "delay_reasons",
        ),
        "the breach record (Art. 33(5)), about an incident, not a member",
    ),
    "privacy.Erasure": {
        "user": "the pseudonymous account row the erasure left",
        "reason": _OPERATIONAL,
        "pseudonym": "the pseudonym replacing an erased member",
        "sealed_snapshot": "erased data sealed with a key only the member holds",
        "key_hash": _NEVER_EXPORTED,
    },
}


def installed_entries() -> Iterator[tuple[PersonalData, type[models.Model]]]:
    """Registry entries whose model is installed in this deployment."""
    for entry in PERSONAL_DATA:
        model = entry.model_class()
        if model is not None:
            yield entry, model


def rows_of(entry: PersonalData, model: type[models.Model], user: User) -> Any:
    """The rows of ``model`` about ``user``, each once."""
    return model._default_manager.filter(entry.owner(user)).distinct().order_by("pk")
