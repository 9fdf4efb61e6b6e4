"""One entry point: ``classify(text)`` returns a verdict and the rule that matched."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote_plus

from fortresa.detection.rules.sqli import match_sqli, may_match
from fortresa.detection.rules.web import (
    CMDI_SIGNS,
    TRAVERSAL_SIGNS,
    XSS_NEEDS,
    XSS_SIGNS,
    match_cmdi_rules,
    match_traversal_rules,
    match_xss_rules,
)

VERDICTS = ("sqli", "xss", "traversal", "cmdi", "clean")
# Longer inputs are read up to this length: attacks need their structure near the
# start of a value to fit a query, and the bound keeps the cost per input fixed.
MAX_LENGTH = 8192
# Every SQL rule needs a quote, a bracket, a comparison, a comment, a separator or a
# logic operator; without any of them only the word-only shapes below remain.
_SQL_SIGNS = re.compile(r"['\"()=<>!;#|&`@\\]|--|/\*")
_WORDS_ONLY_ATTACK = re.compile(
    r"\b(?:and|or|xor|having)\s+(?:not\s+)?\w+\s+(?:is|in|like|rlike|regexp|between|sounds|div)"
    r"\s|\bwaitfor\s+(?:delay|time)\b|\bunion\s+(?:all\s+|distinct\s+)?select\b"
    r"|^\s*order\s+by\s+\d+\s*$",
    re.I,
)
_ENCODED = re.compile(r"%[0-9a-fA-F]{2}|&#?\w+;")
# Each family's own gate, as in ``web``; their union below clears most benign input
# with one search.
_ANY_SIGN = re.compile(
    "|".join(
        pattern.pattern
        for pattern in (
            _SQL_SIGNS,
            _WORDS_ONLY_ATTACK,
            _ENCODED,
            XSS_SIGNS,
            CMDI_SIGNS,
            TRAVERSAL_SIGNS,
        )
    ),
    re.I,
)


@dataclass(frozen=True, slots=True)
class Verdict:
    verdict: str
    rule: str

    @property
    def is_attack(self) -> bool:
        return self.verdict != "clean"


CLEAN = Verdict("clean", "")


def _decoded_forms(text: str) -> list[str]:
    forms = [text]
    if _ENCODED.search(text):
        decoded = html.unescape(unquote_plus(unquote_plus(text)))
        if decoded != text:
            forms.append(decoded)
    return forms


def _may_be_sqli(form: str) -> bool:
    if not (_SQL_SIGNS.search(form) or _WORDS_ONLY_ATTACK.search(form)):
        return False
    return may_match(form)


def _classify(text: str) -> Verdict:
    # One search clears most benign input: no family's gate below can open without it.
    if not _ANY_SIGN.search(text):
        return CLEAN
    for form in _decoded_forms(text):
        if _may_be_sqli(form):
            rule = match_sqli(form)
            if rule:
                return Verdict("sqli", rule)
        if XSS_SIGNS.search(form) and XSS_NEEDS.search(form):
            rule = match_xss_rules(form)
            if rule:
                return Verdict("xss", rule)
        if CMDI_SIGNS.search(form):
            rule = match_cmdi_rules(form)
            if rule:
                return Verdict("cmdi", rule)
        if TRAVERSAL_SIGNS.search(form):
            rule = match_traversal_rules(form)
            if rule:
                return Verdict("traversal", rule)
    return CLEAN


# Requests repeat most of their values (User-Agent, Referer, cookies, common queries).
_classify_short = lru_cache(maxsize=8192)(_classify)


def classify(text: str) -> Verdict:
    """Classify one input value as ``sqli``, ``xss``, ``traversal``, ``cmdi`` or ``clean``."""
    # Letters and digits alone (numbers, identifiers, session keys and CSRF tokens) open
    # no gate of any family: every rule needs a space or a sign. No need to remember them.
    if text.isalnum():
        return CLEAN
    text = text[:MAX_LENGTH]
    return _classify_short(text) if len(text) <= 512 else _classify(text)


def clear_cache() -> None:
    """Forget remembered verdicts (benchmarks measure the classifier, not the cache)."""
    _classify_short.cache_clear()
