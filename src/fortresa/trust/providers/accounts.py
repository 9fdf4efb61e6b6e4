"""Login security for the whole platform and, per club, who can reach the club's data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from fortresa.accounts.conf import login_policy
from fortresa.accounts.models import User
from fortresa.accounts.roles import PRIVILEGED_CLUB_ROLES
from fortresa.accounts.two_factor import has_second_factor
from fortresa.clubs.models import Club, Role
from fortresa.core.models import AuditEvent
from fortresa.trust.providers.base import Fact, Provider, Section, Status, register, register_club

MINIMUM_PASSWORD_LENGTH = 12
CLUB_WINDOW = dt.timedelta(days=90)


def _validators() -> list[dict[str, Any]]:
    return [dict(v) for v in settings.AUTH_PASSWORD_VALIDATORS if isinstance(v, dict)]


def _minimum_length() -> int:
    for validator in _validators():
        if str(validator["NAME"]).endswith(".MinimumLengthValidator"):
            return int(validator.get("OPTIONS", {}).get("min_length", 8))
    return 0


def _checks_breached_passwords() -> bool:
    return any(
        validator["NAME"] == "fortresa.accounts.passwords.BreachedPasswordValidator"
        for validator in _validators()
    )


def _hasher() -> str:
    first = str(settings.PASSWORD_HASHERS[0]).rsplit(".", 1)[-1]
    return first.removesuffix("PasswordHasher").lower()


def two_factor_coverage(accounts: QuerySet[User]) -> tuple[int, int]:
    """(accounts with a second factor, accounts) among ``accounts``."""
    users = list(accounts.distinct())
    return sum(1 for user in users if has_second_factor(user)), len(users)


def _coverage_fact(key: str, label: Any, covered: int, total: int) -> Fact:
    per_mille = round(1000 * covered / total) if total else None
    return Fact(
        key,
        label,
        None if per_mille is None else f"{per_mille / 10:.1f}",
        "percent",
        display=None
        if per_mille is None
        else _("%(covered)s of %(total)s (%(percent)s%%)")
        % {"covered": covered, "total": total, "percent": f"{per_mille / 10:.1f}"},
    )


@register
class LoginProvider(Provider):
    slug = "login"
    title = _("Sign-in protection")
    promise = _(
        "Accounts are locked after repeated wrong passwords, passwords are checked against "
        "known breaches and stored with Argon2id, and every staff account uses two-factor "
        "authentication."
    )

    def evaluate(self, *, now: dt.datetime, club: Club | None = None) -> Section:
        policy = login_policy()
        privileged = User.objects.filter(is_active=True).filter(
            Q(is_staff=True) | Q(is_superuser=True) | Q(memberships__role__in=PRIVILEGED_CLUB_ROLES)
        )
        covered, total = two_factor_coverage(privileged)
        max_age = policy.staff_password_max_age
        facts = (
            Fact(
                "lockout_threshold",
                _("Wrong passwords before an account is locked"),
                policy.lockout_threshold,
            ),
            Fact(
                "lockout_seconds",
                _("First lockout lasts"),
                int(policy.lockout_base.total_seconds()),
                "seconds",
            ),
            Fact(
                "lockout_max_seconds",
                _("Longest lockout"),
                int(policy.lockout_max.total_seconds()),
                "seconds",
            ),
            Fact(
                "account_attempts_per_hour",
                _("Password attempts per account per hour, from anywhere"),
                policy.account_attempts_per_hour,
            ),
            _coverage_fact(
                "staff_two_factor",
                _("Staff accounts with two-factor authentication"),
                covered,
                total,
            ),
            Fact("password_min_length", _("Minimum password length"), _minimum_length()),
            Fact(
                "breached_password_check",
                _("Passwords checked against known breaches"),
                _checks_breached_passwords(),
                "yesno",
            ),
            Fact("password_hashing", _("Password hashing"), _hasher()),
            Fact(
                "staff_password_max_age_seconds",
                _("Staff passwords renewed after"),
                int(max_age.total_seconds()) if max_age else None,
                "seconds",
            ),
        )
        problems = []
        if covered < total:
            problems.append(_("Some staff accounts have no second factor."))
        if _minimum_length() < MINIMUM_PASSWORD_LENGTH:
            problems.append(_("Passwords may be shorter than 12 characters."))
        if not _checks_breached_passwords():
            problems.append(_("Passwords are not checked against known breaches."))
        if _hasher() != "argon2id":
            problems.append(_("Passwords are not hashed with Argon2id."))
        return self.section(
            Status.DEGRADED if problems else Status.MET,
            facts=facts,
            checked_at=now,
            reasons=tuple(problems),
        )


@register_club
class ClubAccessProvider(Provider):
    slug = "club_access"
    title = _("Who can reach your club's data")
    promise = _(
        "Your club's staff sign in with two-factor authentication; role changes and data "
        "exports are written to the tamper-evident audit log."
    )

    def evaluate(self, *, now: dt.datetime, club: Club | None = None) -> Section:
        if club is None:
            return self.not_configured(_("This section is about one club."))
        staff = User.objects.filter(
            is_active=True,
            memberships__club=club,
            memberships__role__in=(Role.ADMIN, Role.STAFF),
        )
        covered, total = two_factor_coverage(staff)
        since = now - CLUB_WINDOW
        member_ids = club.memberships.values_list("user_id", flat=True)
        exports = AuditEvent.objects.filter(
            action="privacy.data_exported", actor_id__in=member_ids, created_at__gte=since
        )
        role_changes = AuditEvent.objects.filter(
            club_id=club.pk, action="club.role_changed", created_at__gte=since
        )
        last_export = exports.order_by("-created_at").values_list("created_at", flat=True).first()
        facts = (
            _coverage_fact(
                "staff_two_factor",
                _("Staff and admins with two-factor authentication"),
                covered,
                total,
            ),
            Fact(
                "exports_90_days",
                _("Members' own data exports in the last 90 days"),
                exports.count(),
            ),
            Fact("last_export_at", _("Last data export by a member"), last_export, "datetime"),
            Fact(
                "role_changes_90_days", _("Role changes in the last 90 days"), role_changes.count()
            ),
        )
        problems = []
        if covered < total:
            problems.append(_("Some of your club's staff accounts have no second factor."))
        return self.section(
            Status.DEGRADED if problems else Status.MET,
            facts=facts,
            checked_at=now,
            reasons=tuple(problems),
        )
