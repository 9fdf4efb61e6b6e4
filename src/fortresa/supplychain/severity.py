"""Severity of an OSV advisory: from the database's own rating, else from its CVSS vector.

An advisory carrying no usable rating is ``UNKNOWN``. Most PyPA advisories are CVEs that
were never scored in the database, so ``UNKNOWN`` ranks with ``HIGH`` when comparing
against a ``--fail-on`` threshold: an unrated advisory fails ``--fail-on high`` but not
``--fail-on critical``.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from typing import Any


class Severity(enum.Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def at_least(self, threshold: Severity) -> bool:
        return self.rank >= threshold.rank


_RANK = {
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.UNKNOWN: 3,
    Severity.CRITICAL: 4,
}

# Words used by advisory databases (GitHub's "MODERATE" among them) for our levels.
_WORDS = {
    "low": Severity.LOW,
    "moderate": Severity.MEDIUM,
    "medium": Severity.MEDIUM,
    "high": Severity.HIGH,
    "important": Severity.HIGH,
    "critical": Severity.CRITICAL,
}


def severity_of_score(score: float) -> Severity:
    """CVSS qualitative rating of a base score (a score of 0.0 is rated low here)."""
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    return Severity.LOW


def _roundup(value: float) -> float:
    # CVSS 3.1 Appendix A: round up to one decimal without floating-point surprises.
    whole = round(value * 100000)
    if whole % 10000 == 0:
        return whole / 100000.0
    return (math.floor(whole / 10000) + 1) / 10.0


def _metrics(vector: str) -> dict[str, str]:
    parts = [part.split(":", 1) for part in vector.strip().split("/") if ":" in part]
    return {part[0]: part[1] for part in parts}


def cvss3_base_score(vector: str) -> float:
    """Base score of a CVSS 3.0/3.1 vector such as ``CVSS:3.1/AV:N/AC:L/...``."""
    m = _metrics(vector)
    changed = m["S"] == "C"
    av = {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}[m["AV"]]
    ac = {"L": 0.77, "H": 0.44}[m["AC"]]
    pr = {"N": 0.85, "L": 0.68 if changed else 0.62, "H": 0.5 if changed else 0.27}[m["PR"]]
    ui = {"N": 0.85, "R": 0.62}[m["UI"]]
    cia = {"H": 0.56, "L": 0.22, "N": 0.0}
    iss = 1 - (1 - cia[m["C"]]) * (1 - cia[m["I"]]) * (1 - cia[m["A"]])
    impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 if changed else 6.42 * iss
    exploitability = 8.22 * av * ac * pr * ui
    if impact <= 0:
        return 0.0
    total = impact + exploitability
    return _roundup(min(1.08 * total if changed else total, 10.0))


def cvss2_base_score(vector: str) -> float:
    """Base score of a CVSS 2 vector such as ``AV:N/AC:L/Au:N/C:P/I:P/A:P``."""
    m = _metrics(vector)
    av = {"L": 0.395, "A": 0.646, "N": 1.0}[m["AV"]]
    ac = {"H": 0.35, "M": 0.61, "L": 0.71}[m["AC"]]
    au = {"M": 0.45, "S": 0.56, "N": 0.704}[m["Au"]]
    cia = {"N": 0.0, "P": 0.275, "C": 0.660}
    impact = 10.41 * (1 - (1 - cia[m["C"]]) * (1 - cia[m["I"]]) * (1 - cia[m["A"]]))
    exploitability = 20 * av * ac * au
    factor = 0.0 if impact == 0 else 1.176
    return round((0.6 * impact + 0.4 * exploitability - 1.5) * factor, 1)


def _score_of(entry: Mapping[str, Any]) -> float | None:
    kind = str(entry.get("type", "")).upper()
    score = str(entry.get("score", ""))
    try:
        if kind == "CVSS_V3":
            return cvss3_base_score(score)
        if kind == "CVSS_V2":
            return cvss2_base_score(score)
        # CVSS 4 needs the specification's lookup tables; a bare number is taken as is.
        return float(score)
    except (KeyError, ValueError):
        return None


def rate_advisory(advisory: Mapping[str, Any]) -> tuple[Severity, float | None]:
    """Severity and CVSS base score (when one can be computed) of an OSV record.

    The database's own word (``database_specific.severity``, as GitHub's advisories carry
    it) wins; otherwise the highest CVSS score among ``severity`` entries is rated.
    """
    scores = [
        score
        for entry in advisory.get("severity") or []
        if isinstance(entry, Mapping) and (score := _score_of(entry)) is not None
    ]
    best = max(scores) if scores else None
    specific = advisory.get("database_specific")
    if isinstance(specific, Mapping):
        word = str(specific.get("severity", "")).strip().lower()
        if word in _WORDS:
            return _WORDS[word], best
    if best is not None:
        return severity_of_score(best), best
    return Severity.UNKNOWN, None
