"""The facts the operator declares about the organisation, read when the page is built.

They are stated, not measured: the page marks them so. ``FORTRESA_DPO_CONTACT`` is the
privacy area's setting; the others are ``FORTRESA_HOSTING_LOCATION`` (free text, e.g.
"France (OVHcloud, Gravelines)") and ``FORTRESA_CERTIFICATIONS`` (comma-separated).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from fortresa.core.env import Env


@dataclass(frozen=True)
class DeclaredFacts:
    dpo_contact: str
    hosting_location: str
    certifications: tuple[str, ...]

    @property
    def any(self) -> bool:
        return bool(self.dpo_contact or self.hosting_location or self.certifications)


def declared_facts(env: Env | None = None) -> DeclaredFacts:
    env = env or Env()
    return DeclaredFacts(
        dpo_contact=str(getattr(settings, "FORTRESA_DPO_CONTACT", "") or ""),
        hosting_location=env.text("FORTRESA_HOSTING_LOCATION", "").strip(),
        certifications=tuple(env.items("FORTRESA_CERTIFICATIONS", [])),
    )
