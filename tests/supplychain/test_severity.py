from __future__ import annotations

import pytest

from fortresa.supplychain.severity import (
    Severity,
    cvss2_base_score,
    cvss3_base_score,
    rate_advisory,
)

pytestmark = pytest.mark.smoke


@pytest.mark.parametrize(
    ("vector", "score"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
        ("CVSS:3.1/AV:L/AC:L/PR:L/UI:R/S:U/C:L/I:N/A:N", 2.8),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
        ("CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
    ],
)
def test_cvss3_base_score_matches_the_specification_calculator(vector: str, score: float) -> None:
    assert cvss3_base_score(vector) == score


def test_cvss2_base_score_matches_the_specification_calculator() -> None:
    assert cvss2_base_score("AV:N/AC:L/Au:N/C:P/I:P/A:P") == 7.5


def test_database_rating_wins_over_the_cvss_vector() -> None:
    record = {
        "database_specific": {"severity": "MODERATE"},
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    }

    assert rate_advisory(record) == (Severity.MEDIUM, 9.8)


def test_highest_cvss_score_rates_an_advisory_without_database_rating() -> None:
    record = {
        "severity": [
            {"type": "CVSS_V2", "score": "AV:N/AC:L/Au:N/C:N/I:N/A:P"},
            {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
        ]
    }

    assert rate_advisory(record) == (Severity.CRITICAL, 9.8)


def test_advisory_without_usable_rating_is_unknown() -> None:
    record = {"severity": [{"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L"}]}

    assert rate_advisory(record) == (Severity.UNKNOWN, None)


def test_unknown_severity_counts_as_high_but_not_critical() -> None:
    assert Severity.UNKNOWN.at_least(Severity.HIGH)
    assert not Severity.UNKNOWN.at_least(Severity.CRITICAL)
