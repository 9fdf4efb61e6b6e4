"""The probe contract and the registry of probes by identifier.

A probe measures one thing (the HTTPS front, the database, the age of the last backup)
and says which status that puts its component in. Probes that read results of other apps
name the app in ``requires_app``: when it is not installed the probe reports "not
configured" and never imports it.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps

from fortresa.status.components import COMPONENT_SLUGS, ComponentStatus
from fortresa.status.conf import StatusSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProbeOutcome:
    status: ComponentStatus
    summary: str
    response_ms: float | None = None


@dataclass
class Stopwatch:
    started: float = field(default_factory=time.perf_counter)

    @property
    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000


def not_configured(summary: str) -> ProbeOutcome:
    return ProbeOutcome(ComponentStatus.NOT_CONFIGURED, summary)


class Probe(ABC):
    """One measurement. Subclasses set ``slug`` and ``component`` and implement ``check``.

    ``check`` must not raise for the failure it measures (a refused connection is a
    result, not an error) and must never put secrets or personal data in ``summary``:
    operators read it on /ops/ and in metrics labels.
    """

    slug: str = ""
    component: str = ""
    requires_app: str = ""

    def configured(self) -> ProbeOutcome | None:
        """None when the probe can run, else the "not configured" outcome to report."""
        if self.requires_app and not apps.is_installed(self.requires_app):
            return not_configured(f"{self.requires_app} is not installed")
        return None

    @abstractmethod
    def check(self, *, now: datetime, conf: StatusSettings) -> ProbeOutcome: ...

    def run(self, *, now: datetime, conf: StatusSettings) -> ProbeOutcome:
        skipped = self.configured()
        if skipped is not None:
            return skipped
        try:
            return self.check(now=now, conf=conf)
        except Exception as exc:
            # A bug in a probe must not stop the other probes; it shows as "we do not know".
            logger.exception("status probe %s failed", self.slug)
            return ProbeOutcome(ComponentStatus.DEGRADED, f"probe error: {type(exc).__name__}")


_registry: dict[str, type[Probe]] = {}


def register(probe_class: type[Probe]) -> type[Probe]:
    if probe_class.component not in COMPONENT_SLUGS:
        raise ValueError(f"probe {probe_class.slug!r}: unknown component {probe_class.component}")
    _registry[probe_class.slug] = probe_class
    return probe_class


def unregister(slug: str) -> None:
    _registry.pop(slug, None)


def registered_probes() -> list[Probe]:
    return [probe_class() for probe_class in _registry.values()]
