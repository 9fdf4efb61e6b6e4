"""Suspicious payment events: audited, and raised as alerts for detection to triage."""

from __future__ import annotations

from typing import Any

from fortresa.core.audit import record_event
from fortresa.detection.alerts import raise_alert

# Codes are stable: detection's rules and the operators' runbooks name them.
SEVERITY = {
    "bad_signature": "high",
    "missing_signature": "medium",
    "stale_signature": "medium",
    "malformed": "medium",
    "not_configured": "medium",
    "unknown_reference": "medium",
    "amount_mismatch": "high",
    "currency_mismatch": "high",
    "reference_mismatch": "high",
    "replay": "low",
}


def report_suspicious(
    *,
    code: str,
    provider: str,
    club_id: int | None,
    ip_address: str | None = None,
    target: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """Audit ``payment.suspicious`` and raise a ``payment_<code>`` alert."""
    evidence = {"provider": provider, "club_id": club_id, **(details or {})}
    record_event(
        action="payment.suspicious",
        club_id=club_id,
        target=target,
        ip_address=ip_address,
        details={"code": code, **evidence},
    )
    raise_alert(
        kind=f"payment_{code}",
        severity=SEVERITY.get(code, "medium"),
        source="payments",
        subject=f"{provider} {target}".strip(),
        evidence={"ip": ip_address or "", **evidence},
        key=ip_address or "",
    )
