"""An ordered list of named regular expressions, searched as one before naming a rule."""

from __future__ import annotations

import re

_SCOPED_FLAGS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"), (re.VERBOSE, "x"))


def _scoped(pattern: re.Pattern[str]) -> str:
    letters = "".join(letter for flag, letter in _SCOPED_FLAGS if pattern.flags & flag)
    return f"(?{letters}:{pattern.pattern})" if letters else f"(?:{pattern.pattern})"


class RuleSet:
    """``first(text)`` is the name of the first rule, in list order, that ``text`` matches.

    Most inputs match no rule: one search of all the rules joined (each keeping its own
    flags) answers them; only a match runs the rules one by one to name the first.
    """

    def __init__(self, rules: list[tuple[str, re.Pattern[str]]]) -> None:
        self.rules = rules
        self.any = re.compile("|".join(_scoped(pattern) for _, pattern in rules))

    def first(self, text: str) -> str | None:
        if self.any.search(text) is None:
            return None
        for name, pattern in self.rules:
            if pattern.search(text):
                return name
        return None  # pragma: no cover - the joined search matched one of these
