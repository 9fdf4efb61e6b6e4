"""Application SQL sensor: a database execute wrapper that fingerprints statements.

Fortresa sends every value as a query parameter, so the text of a statement only ever
holds what the code wrote. A statement whose text compares two constants, carries a
comment, a second statement or a sleeping function was shaped by input: that is the
mark of a string-formatted query someone managed to inject into.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from functools import partial
from typing import Any

from fortresa.detection.alerts import raise_alert
from fortresa.detection.models import Alert
from fortresa.detection.rules.sqltokens import Token, fingerprint, tokenize

_inside_sensor: ContextVar[bool] = ContextVar("detection_inside_sensor", default=False)
# Cheap pre-check: statements without any of these cannot match a rule below.
_SUSPECT = re.compile(r"'|--|/\*|#|;\s*\S|\bsleep|\bbenchmark|\bwaitfor|\bunion\b", re.I)
_SHAPE_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("sql.constant_comparison", re.compile(r"(?<![a-zA-Z])[sn]o[sn](?![(.])")),
    ("sql.comment", re.compile(r"c")),
    ("sql.stacked_statement", re.compile(r";[EkUb]")),
    ("sql.attack_function", re.compile(r"x\(")),
    ("sql.union_of_constants", re.compile(r"UE(?:k)?[ns,]+(?:F|$|c)")),
]
_MAX_KNOWN = 5000
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")


def shape(tokens: list[Token]) -> str:
    """The statement's fingerprint with literal values dropped."""
    return fingerprint(tokens)


def suspicious_statement(sql: str) -> str | None:
    """The rule a statement's text breaks, or None for what code would send."""
    if not _SUSPECT.search(sql):
        return None
    # Quoted identifiers are names, and Django's placeholders are parameters, not literals.
    text = _QUOTED.sub(lambda m: m.group() if m.group().startswith("'") else "ident", sql)
    tokens = tokenize(text.replace("%s", "p"))
    fp = shape(tokens)
    for name, pattern in _SHAPE_RULES:
        if pattern.search(fp):
            return name
    return None


class StatementSensor:
    """``connection.execute_wrapper`` callable; remembers clean statement texts.

    One sensor serves every request of a process; ``for_path(path)`` is the wrapper for
    one request, whose path an alert names.
    """

    def __init__(self) -> None:
        self.known_clean: set[str] = set()

    def for_path(self, path: str) -> Callable[..., Any]:
        return partial(self, path=path)

    def __call__(
        self,
        execute: Callable[[str, Any, bool, dict[str, Any]], Any],
        sql: str,
        params: Sequence[Any] | None,
        many: bool,
        context: dict[str, Any],
        path: str = "",
    ) -> Any:
        if not _inside_sensor.get() and sql not in self.known_clean:
            rule = suspicious_statement(sql)
            if rule is None:
                if len(self.known_clean) < _MAX_KNOWN:
                    self.known_clean.add(sql)
            else:
                self._alert(sql, rule, path)
        return execute(sql, params, many, context)

    def _alert(self, sql: str, rule: str, path: str) -> None:
        token = _inside_sensor.set(True)
        try:
            raise_alert(
                kind=Alert.Kind.SQL_INJECTED_STATEMENT,
                severity=Alert.Severity.CRITICAL,
                source="sql",
                subject=path,
                key=rule,
                evidence={"statement": sql, "rule": rule, "path": path},
            )
        finally:
            _inside_sensor.reset(token)
