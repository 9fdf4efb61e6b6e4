"""The contract of a section of the security page, and the registry of providers.

A provider turns one promise into a ``Section``: a status computed from what the other
apps recorded or configured, the facts it rests on, and when they were last checked.
Providers read other apps only through their selectors, import them inside ``evaluate``
and fail soft: an app that is not installed, or data that is absent, gives "not
configured", never an error page.
"""

from __future__ import annotations

import datetime as dt
import logging
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.apps import apps
from django.db.models import TextChoices
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fortresa.clubs.models import Club

logger = logging.getLogger(__name__)

# Facts are plain values so the JSON document needs no float formatting rules: ratios
# and durations are given as integers (per mille, seconds) or fixed-point text.
Value = str | int | bool | dt.datetime | list[str] | None


class Status(TextChoices):
    MET = "met", _("Met")
    DEGRADED = "degraded", _("Degraded")
    NOT_CONFIGURED = "not_configured", _("Not configured")
    # Organisation facts the operator states; nothing on this system can measure them.
    DECLARED = "declared", _("Declared by the operator")


@dataclass(frozen=True)
class Fact:
    key: str
    label: str | Promise
    value: Value
    # How the page shows it: text, datetime, yesno, seconds, percent (value in text).
    kind: str = "text"
    # What the page shows instead of ``value`` when that is an identifier for machines.
    display: str | Promise | None = None


@dataclass(frozen=True)
class Group:
    """Facts about one of several like things: a backup repository, a sending domain."""

    key: str
    label: str | Promise
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class Link:
    label: str | Promise
    url: str


@dataclass(frozen=True)
class Section:
    slug: str
    title: str | Promise
    promise: str | Promise
    status: Status
    facts: tuple[Fact, ...] = ()
    checked_at: dt.datetime | None = None
    # Why the status is not "met", in the reader's words (never a host, path or version).
    reasons: tuple[str | Promise, ...] = ()
    how_to_check: tuple[Link | str | Promise, ...] = ()
    groups: tuple[Group, ...] = ()

    @property
    def declared(self) -> bool:
        return self.status == Status.DECLARED


class Provider(ABC):
    """One section of the security page.

    ``evaluate`` must not change anything and must not raise for missing data: return
    ``not_configured(...)`` instead. ``requires_app`` names the app it reads; without it
    installed the section is "not configured".
    """

    slug: ClassVar[str]
    title: ClassVar[str | Promise]
    promise: ClassVar[str | Promise]
    requires_app: ClassVar[str] = ""

    @abstractmethod
    def evaluate(self, *, now: dt.datetime, club: Club | None = None) -> Section: ...

    def section(self, status: Status, **fields: Any) -> Section:
        return Section(
            slug=self.slug, title=self.title, promise=self.promise, status=status, **fields
        )

    def not_configured(self, reason: str | Promise) -> Section:
        return self.section(Status.NOT_CONFIGURED, reasons=(reason,))

    def build(self, *, now: dt.datetime, club: Club | None = None) -> Section:
        if self.requires_app and not apps.is_installed(self.requires_app):
            return self.not_configured(_("This part of the platform is not installed."))
        try:
            return self.evaluate(now=now, club=club)
        except Exception:
            # A section that cannot be computed must not take the whole page down; the
            # operator finds the cause in the log.
            logger.exception("security page section %s failed", self.slug)
            return self.not_configured(_("The evidence could not be read."))


PROVIDERS: list[type[Provider]] = []
CLUB_PROVIDERS: list[type[Provider]] = []


def register(provider: type[Provider]) -> type[Provider]:
    PROVIDERS.append(provider)
    return provider


def register_club(provider: type[Provider]) -> type[Provider]:
    CLUB_PROVIDERS.append(provider)
    return provider


def status_of(problems: Sequence[str | Promise]) -> Status:
    return Status.DEGRADED if problems else Status.MET


def latest(*moments: dt.datetime | None) -> dt.datetime | None:
    present = [moment for moment in moments if moment is not None]
    return max(present) if present else None
