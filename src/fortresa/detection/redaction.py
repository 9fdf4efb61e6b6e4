"""Strip secrets from evidence before it is stored or sent anywhere.

PostgreSQL logs carry statements verbatim, so ``CREATE ROLE x PASSWORD 'secret'`` or a
connection string with a password would otherwise reach an alert email.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[redacted]"
_SENSITIVE_NAME = re.compile(
    r"pass(?:word|wd|phrase)?|secret|token|otp|totp|recovery|api[_-]?key|authorization|"
    r"cookie|session|csrf|private[_-]?key|credential",
    re.I,
)
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # CREATE/ALTER ROLE ... [ENCRYPTED] PASSWORD '...' (any quoting, doubled quotes inside).
    (
        re.compile(r"(\bPASSWORD\s+)(?:'(?:[^']|'')*'?|\$\w*\$.*?\$\w*\$|\S+)", re.I | re.S),
        r"\1" + "'" + REDACTED + "'",
    ),
    # scheme://user:password@host  # pragma: allowlist secret
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]*(@)", re.I), r"\1" + REDACTED + r"\2"),
    # key=value pairs (libpq conninfo, query strings, form bodies, JSON-ish text)
    (
        re.compile(
            r"""(["']?\b[\w-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key|otp|code)[\w-]*["']?\s*[=:]\s*)"""
            r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s&,;}]+)""",
            re.I,
        ),
        r"\1" + REDACTED,
    ),
    (re.compile(r"(\bBearer\s+)[\w.~+/=-]+", re.I), r"\1" + REDACTED),
    (
        re.compile(r"\$(?:argon2(?:id|i|d)|pbkdf2_sha256|bcrypt|scrypt|md5)\$[^\s'\"]+", re.I),
        REDACTED,
    ),
    (re.compile(r"\bSCRAM-SHA-256\$[^\s'\"]+", re.I), REDACTED),
    (re.compile(r"\bmd5[0-9a-f]{32}\b", re.I), REDACTED),
]


def redact_text(text: str) -> str:
    # PostgreSQL stores no NUL in text or jsonb; attack payloads often carry one (%00), so
    # it is kept visible as the four characters \x00 instead of failing the insert.
    text = text.replace("\x00", "\\x00")
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def is_sensitive_name(name: str) -> bool:
    return bool(_SENSITIVE_NAME.search(name))


def redact(value: Any, *, key: str = "") -> Any:
    """A copy of ``value`` (str, list, dict, scalars) with secrets replaced."""
    if key and is_sensitive_name(key):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {redact_text(str(k)): redact(v, key=str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact_text(str(value))
