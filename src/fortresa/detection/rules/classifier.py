"""One entry point: ``classify(text)`` returns a verdict and the rule that matched."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote_plus

from fortresa.detection.rules.sqli import match_sqli
from fortresa.detection.rules.web import match_cmdi, match_traversal, match_xss

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


@dataclass(frozen=True, slots=True)
class Verdict:
    verdict: str
    rule: str

    @property
    def is_attack(self) -> bool:
        return self.verdict != "clean"


CLEAN = Verdict("clean", "")
_WEB_FAMILIES = (("xss", match_xss), ("cmdi", match_cmdi), ("traversal", match_traversal))


def _decoded_forms(text: str) -> list[str]:
    forms = [text]
    if _ENCODED.search(text):
        decoded = html.unescape(unquote_plus(unquote_plus(text)))
        if decoded != text:
            forms.append(decoded)
    return forms


def _classify(text: str) -> Verdict:
    for form in _decoded_forms(text):
        if _SQL_SIGNS.search(form) or _WORDS_ONLY_ATTACK.search(form):
            rule = match_sqli(form)
            if rule:
                return Verdict("sqli", rule)
        for family, matcher in _WEB_FAMILIES:
            rule = matcher(form)
            if rule:
                return Verdict(family, rule)
    return CLEAN


# Requests repeat most of their values (User-Agent, Referer, cookies, common queries).
_classify_short = lru_cache(maxsize=8192)(_classify)


def classify(text: str) -> Verdict:
    """Classify one input value as ``sqli``, ``xss``, ``traversal``, ``cmdi`` or ``clean``."""
    text = text[:MAX_LENGTH]
    return _classify_short(text) if len(text) <= 512 else _classify(text)


def clear_cache() -> None:
    """Forget remembered verdicts (benchmarks measure the classifier, not the cache)."""
    _classify_short.cache_clear()
