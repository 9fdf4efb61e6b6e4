from __future__ import annotations

from fortresa.detection.models import Alert
from fortresa.payments.alerts import SEVERITY


def test_every_suspicious_payment_code_is_a_known_alert_kind() -> None:
    kinds = set(Alert.Kind.values)
    assert {f"payment_{code}" for code in SEVERITY} <= kinds
