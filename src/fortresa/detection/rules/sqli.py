"""SQL injection rules over token fingerprints (see ``sqltokens`` for the letters).

Each rule is a named regular expression over the fingerprint of one reading of the
input, or a short check of token values where the letter alone says too little.
Rules look for SQL *structure* an attacker needs (a comparison joined by a logic
operator, a subquery, a stacked statement, a comment ending a broken-out literal),
never for single words, so free text that merely says "select" or "and" stays clean.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from fortresa.detection.rules.ruleset import RuleSet
from fortresa.detection.rules.sqltokens import (
    _CASE_WORDS,
    _LOGIC,
    _WORD_COMPARISONS,
    ATTACK_FUNCTIONS,
    SQL_FUNCTIONS,
    scan,
)

# An operand: a literal, a variable or a call of a function attackers use; plain words
# are left out so that prose such as "juniors < 18 and seniors > 65" stays clean.
_STRICT_OPERAND = r"(?:[nsv]|[xy]\()"

_FINGERPRINT_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("sqli.union_select", re.compile(r"U(?:k)?\(*E")),
    ("sqli.subquery", re.compile(r"\(E(?:[^b)]|b[^)]*F)")),
    ("sqli.select_from", re.compile(r"E[nsavxyC(][^;]*?F")),
    ("sqli.attack_function", re.compile(r"x\(")),
    # AND/OR followed by a comparison: AND 1=1, OR 'a'='a', AND (SELECT ...)=1.
    ("sqli.boolean_comparison", re.compile(rf"&!?\(*!?{_STRICT_OPERAND}[)n]*o")),
    ("sqli.boolean_word_comparison", re.compile(rf"&!?\(*{_STRICT_OPERAND}[)n]*!?l!?\(*[nsv(]")),
    ("sqli.boolean_function", re.compile(r"&!?\(*y\(")),
    ("sqli.comparison_in_parentheses", re.compile(r"\(!?[nsv]o[nsv]\)")),
    ("sqli.conditional", re.compile(r"C[^C]*?[ol][^C]*?C")),
    ("sqli.function_comparison", re.compile(r"[nsv]o[(]*y\(|y\([^)]*?[nsv]o[nsv]")),
    ("sqli.concatenated_function", re.compile(r"sa\(*[xy]\(|y\([^()]*\)a\(*s")),
    ("sqli.comparison_then_comment", re.compile(r"[nsv)]o[nsv(][^&]*c$")),
]

# Fingerprint rules that only make sense once a literal was broken out of.
_BREAKOUT_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("sqli.breakout_comment", re.compile(r"^s\)*c$")),
    ("sqli.breakout_logic", re.compile(r"^s\)*&!?[nsv(]")),
    ("sqli.breakout_stacked", re.compile(r"^s\)*;")),
    ("sqli.breakout_comparison", re.compile(r"^s\)*[ol]!?[nsv(]")),
]

_FINGERPRINT = RuleSet(_FINGERPRINT_RULES)
_BREAKOUT = RuleSet(_BREAKOUT_RULES)

_STACKABLE = {
    "SELECT": "nsvxyfCa(",
    "INSERT": "k",
    "UPDATE": "b",
    "DELETE": "F",
    "DROP": "k",
    "CREATE": "kb",
    "ALTER": "k",
    "EXEC": "b",
    "EXECUTE": "b",
    "DECLARE": "v",
    "WAITFOR": "k",
    "SHUTDOWN": "c",
    "TRUNCATE": "kb",
    "CALL": "fxy",
    "BEGIN": "xyfb",
    "COPY": "b(",
}


def _stacked_statement(fp: str, values: list[str]) -> bool:
    index = fp.find(";")
    while 0 <= index < len(fp) - 1:
        allowed_next = _STACKABLE.get(values[index + 1].upper())
        if allowed_next is not None:
            if index + 2 < len(fp):
                if fp[index + 2] in allowed_next or values[index + 2] == "*":
                    return True
            elif values[index + 1].upper() == "SHUTDOWN":
                return True
        index = fp.find(";", index + 1)
    return False


_ORDER_TAIL = re.compile(r"n(?:,n)*(?:c|\)|$)")
_HAVING_TAIL = re.compile(r"\(*[nsv]o")
_LIMIT_TAIL = re.compile(r"n(?:,n)?c")


def _clause_probe(fp: str, values: list[str]) -> bool:
    """ORDER BY 1--, GROUP BY 2#, HAVING 1=1, WAITFOR DELAY '0:0:5', LIMIT 1--."""
    for index, kind in enumerate(fp):
        # The clause words are keywords (``k``), or ``f`` when a bracket follows.
        if kind != "k" and kind != "f":
            continue
        value = values[index].upper()
        following = values[index + 1].upper() if index + 1 < len(fp) else ""
        if value in ("ORDER", "GROUP") and following == "BY":
            tail = fp[index + 2 :]
            if _ORDER_TAIL.match(tail) and (index == 0 or "c" in tail):
                return True
        elif value == "HAVING":
            if _HAVING_TAIL.match(fp, index + 1):
                return True
        elif value == "WAITFOR":
            if following in ("DELAY", "TIME"):
                return True
        elif value in ("LIMIT", "OFFSET") and _LIMIT_TAIL.match(fp, index + 1):
            return True
    return False


# What the rules above need, as text: tokenising is the costly part, and most benign
# values carry none of it. Each rule needs at least one of:
#   a comparison ``o`` (= < >), ``&&`` or a logic word (AND, OR, XOR), SELECT, a CASE
#   word, a clause word (ORDER, GROUP, HAVING, WAITFOR, LIMIT, OFFSET), a call of a
#   function in ``ATTACK_FUNCTIONS`` or ``SQL_FUNCTIONS`` (``x(``, ``y(``), or ``;``
#   followed by a statement a stacked query starts with;
#   and once the value holds a quote (the breakout rules read it inside a literal): a
#   comment, ``;`` or a word comparison (LIKE, IS, IN ...).
# The tokenizer upper-cases words, so the search runs on the upper-cased text. A word is a
# token of its own only where no letter or underscore precedes it and no word character
# or ``$`` follows it, with one exception: a hex literal (0x1f) may end right before a
# word, hence ``0X``. Upper-casing keeps both true of every character except those in
# ``UPPERCASE_TO_WORD`` (U+0345 becomes a Greek capital letter; the tests check this
# over all of Unicode); a value holding one is searched without the word limits.
UPPERCASE_TO_WORD = frozenset("\u0345")
_CLAUSE_WORDS = {"ORDER", "GROUP", "HAVING", "WAITFOR", "LIMIT", "OFFSET"}
_START = r"(?<![^\W\d])"
_END = r"(?![\w$])"


def _either(words: set[str] | frozenset[str]) -> str:
    """An alternation of ``words`` factored by prefix: each position tries one branch."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
        branches = [
            re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return f"(?:{body})?"
        return body

    return pattern(trie)


_STRUCTURAL_WORDS = {w for w in _LOGIC if w.isalpha()} | _CASE_WORDS | _CLAUSE_WORDS | {"SELECT"}
_NEEDS = re.compile(
    rf"[=<>]|&&|0X|{_START}(?:{_either(_STRUCTURAL_WORDS)}){_END}"
    rf"|{_START}(?:{_either(ATTACK_FUNCTIONS | SQL_FUNCTIONS)})\s*\("
    rf"|;\s*(?:{_either(set(_STACKABLE))}){_END}"
)
_NEEDS_IN_LITERAL = re.compile(rf"--|#|/\*|;|{_START}(?:{_either(_WORD_COMPARISONS)}){_END}")
_NEEDS_ANYWHERE = re.compile(
    r"[=<>;(#]|--|/\*|&&|0X|" + _either(_STRUCTURAL_WORDS | _WORD_COMPARISONS | set(_STACKABLE))
)


def may_match(text: str) -> bool:
    """False when no SQL rule can match ``text``: it lacks everything they need."""
    upper = text.upper()
    if not text.isascii() and not UPPERCASE_TO_WORD.isdisjoint(text):
        return _NEEDS_ANYWHERE.search(upper) is not None
    if _NEEDS.search(upper):
        return True
    return ("'" in text or '"' in text) and _NEEDS_IN_LITERAL.search(upper) is not None


def _readings(text: str) -> Iterator[tuple[str, str, list[str]]]:
    # Lazily: most attacks match on the first reading.
    yield "", *scan(text)
    for quote in ("'", '"'):
        if quote in text:
            yield quote, *scan(text, quote)


def match_sqli(text: str) -> str | None:
    """The name of the first SQL injection rule ``text`` matches, or None."""
    for quote, fp, values in _readings(text):
        rule = _FINGERPRINT.first(fp) or (_BREAKOUT.first(fp) if quote else None)
        if rule:
            return rule
        if ";" in fp and _stacked_statement(fp, values):
            return "sqli.stacked_query"
        if ("k" in fp or "f" in fp) and _clause_probe(fp, values):
            return "sqli.clause_probe"
    return None
