"""The security report: every provider's section, for the page and for /security.json."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fortresa.clubs.models import Club
from fortresa.trust.headers import site_url
from fortresa.trust.providers import CLUB_PROVIDERS, ORDER, PROVIDERS, Section, Status
from fortresa.trust.providers.base import Fact

DOCUMENT_VERSION = 1


@dataclass(frozen=True)
class SecurityReport:
    generated_at: dt.datetime
    sections: tuple[Section, ...]
    club_sections: tuple[Section, ...] = ()

    def count(self, status: Status) -> int:
        return sum(1 for section in self.sections if section.status == status)

    @property
    def met(self) -> int:
        return self.count(Status.MET)

    @property
    def measured(self) -> int:
        return sum(1 for s in self.sections if s.status in (Status.MET, Status.DEGRADED))

    def section(self, slug: str) -> Section:
        return next(s for s in (*self.sections, *self.club_sections) if s.slug == slug)


def security_report(*, now: dt.datetime, club: Club | None = None) -> SecurityReport:
    """Every section computed now; with ``club``, the club's own sections too."""
    providers = sorted(PROVIDERS, key=lambda provider: ORDER.index(provider.slug))
    sections = tuple(provider().build(now=now) for provider in providers)
    club_sections = (
        tuple(provider().build(now=now, club=club) for provider in CLUB_PROVIDERS)
        if club is not None
        else ()
    )
    return SecurityReport(generated_at=now, sections=sections, club_sections=club_sections)


def _json_value(fact: Fact) -> Any:
    if isinstance(fact.value, dt.datetime):
        return fact.value.isoformat()
    return fact.value


def _section_document(section: Section) -> dict[str, Any]:
    return {
        "slug": section.slug,
        "status": section.status.value,
        "checked_at": section.checked_at.isoformat() if section.checked_at else None,
        "facts": {fact.key: _json_value(fact) for fact in section.facts},
        "groups": {
            group.key: {fact.key: _json_value(fact) for fact in group.facts}
            for group in section.groups
        },
        "reasons": [str(reason) for reason in section.reasons],
    }


def report_document(report: SecurityReport) -> dict[str, Any]:
    """The platform report as the JSON document that is signed (no club's data)."""
    return {
        "version": DOCUMENT_VERSION,
        "site": site_url(),
        "generated_at": report.generated_at.isoformat(),
        "sections": [_section_document(section) for section in report.sections],
    }
