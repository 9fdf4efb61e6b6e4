"""SQL injection rules over token fingerprints (see ``sqltokens`` for the letters).

Each rule is a named regular expression over the fingerprint of one reading of the
input, or a short check of token values where the letter alone says too little.
Rules look for SQL *structure* an attacker needs (a comparison joined by a logic
operator, a subquery, a stacked statement, a comment ending a broken-out literal),
never for single words, so free text that merely says "select" or "and" stays clean.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from fortresa.detection.rules.sqltokens import Token, fingerprint, tokenize

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


def _stacked_statement(tokens: list[Token]) -> bool:
    for index, token in enumerate(tokens[:-1]):
        if token.kind != ";":
            continue
        statement = tokens[index + 1].value.upper()
        allowed_next = _STACKABLE.get(statement)
        if allowed_next is None:
            continue
        following = tokens[index + 2] if index + 2 < len(tokens) else None
        if following is None:
            if statement == "SHUTDOWN":
                return True
            continue
        if following.kind in allowed_next or following.value == "*":
            return True
    return False


def _clause_probe(tokens: list[Token]) -> bool:
    """ORDER BY 1--, GROUP BY 2#, HAVING 1=1, WAITFOR DELAY '0:0:5', LIMIT 1--."""
    values = [token.value.upper() for token in tokens]
    kinds = [token.kind for token in tokens]
    for index, value in enumerate(values):
        rest = kinds[index + 1 :]
        if value in ("ORDER", "GROUP") and values[index + 1 : index + 2] == ["BY"]:
            tail = "".join(rest[1:])
            if re.match(r"n(?:,n)*(?:c|\)|$)", tail) and (index == 0 or "c" in tail):
                return True
        if value == "HAVING" and re.match(r"\(*[nsv]o", "".join(rest)):
            return True
        if value == "WAITFOR" and values[index + 1 : index + 2] in (["DELAY"], ["TIME"]):
            return True
        if value in ("LIMIT", "OFFSET") and re.match(r"n(?:,n)?c", "".join(rest)):
            return True
    return False


_TOKEN_RULES: list[tuple[str, Callable[[list[Token]], bool]]] = [
    ("sqli.stacked_query", _stacked_statement),
    ("sqli.clause_probe", _clause_probe),
]


def _readings(text: str) -> Iterator[tuple[str, list[Token]]]:
    # Lazily: most attacks match on the first reading.
    yield "", tokenize(text)
    for quote in ("'", '"'):
        if quote in text:
            yield quote, tokenize(text, quote)


def match_sqli(text: str) -> str | None:
    """The name of the first SQL injection rule ``text`` matches, or None."""
    for quote, tokens in _readings(text):
        fp = fingerprint(tokens)
        for name, pattern in _FINGERPRINT_RULES:
            if pattern.search(fp):
                return name
        if quote:
            for name, pattern in _BREAKOUT_RULES:
                if pattern.search(fp):
                    return name
        for name, check in _TOKEN_RULES:
            if check(tokens):
                return name
    return None
