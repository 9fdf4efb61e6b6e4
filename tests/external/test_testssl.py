"""testssl.sh 3.2: grade A+ with a final score of at least 96, no old protocol, no known
vulnerability of the Heartbleed, POODLE or BEAST class."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.external.graders import Target, run_testssl

NOT_OFFERED = ("SSLv2", "SSLv3", "TLS1", "TLS1_1")
NOT_VULNERABLE = (
    "heartbleed",
    "CCS",
    "ticketbleed",
    "ROBOT",
    "secure_client_renego",
    "CRIME_TLS",
    "POODLE_SSL",
    "fallback_SCSV",
    "DROWN",
    "BEAST",
    "LOGJAM",
    "RC4",
)


@pytest.fixture
def findings(target: Target, tmp_path: Path) -> dict[str, dict[str, str]]:
    return run_testssl(target, tmp_path)


def test_grade_is_a_plus_with_score_of_at_least_96(findings: dict[str, dict[str, str]]) -> None:
    assert findings["overall_grade"]["finding"] == "A+", {
        key: value["finding"] for key, value in findings.items() if key.startswith("grade_cap")
    }
    assert int(findings["final_score"]["finding"]) >= 96
    assert findings["TLS1_2"]["finding"].startswith("offered")
    assert findings["TLS1_3"]["finding"].startswith("offered")
    for protocol in NOT_OFFERED:
        assert findings[protocol]["finding"] == "not offered", protocol
    for check in NOT_VULNERABLE:
        assert findings[check]["severity"] in ("OK", "INFO"), (check, findings[check])
        assert "VULNERABLE" not in findings[check]["finding"].upper().replace("NOT VULNERABLE", "")
