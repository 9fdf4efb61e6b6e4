"""Cross-site scripting, path traversal and command injection rules."""

from __future__ import annotations

import re

from fortresa.detection.rules.ruleset import RuleSet

_XSS_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "xss.script_tag",
        re.compile(
            r"<\s*/?\s*(?:script|iframe|frame|frameset|object|embed|applet|svg|math|base|"
            r"meta|link|style|template|xml|import|isindex|marquee)\b",
            re.I,
        ),
    ),
    ("xss.event_handler", re.compile(r"<[a-z!/?][^>]*?[\s/\"'`]on[a-z]{3,}\s*=", re.I)),
    ("xss.attribute_breakout", re.compile(r"[\"'`]\s*/?\s*on[a-z]{3,}\s*=", re.I)),
    (
        "xss.script_url",
        re.compile(
            r"(?:java|vb|live)\s*script\s*:|data\s*:\s*text/html|data\s*:[^,]*;base64", re.I
        ),
    ),
    (
        "xss.script_call",
        re.compile(
            r"(?:\balert|\bprompt|\bconfirm|\beval|String\.fromCharCode|\bsetTimeout)\s*[(`]"
            r"|document\s*\.\s*(?:cookie|domain|write|location)|window\s*\.\s*location"
            r"|\bexpression\s*\(",
            re.I,
        ),
    ),
]

_TRAVERSAL_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("traversal.dot_dot", re.compile(r"(?:^|[\\/=:])\.\.(?:[\\/]|$)")),
    (
        "traversal.sensitive_file",
        re.compile(
            r"/etc/(?:passwd|shadow|group|hosts|issue|sudoers)\b|/proc/self/|"
            r"\b(?:win|boot|system)\.ini\b|[a-z]:\\+windows\\|\\windows\\system32|"
            r"file:/{2,}|WEB-INF/web\.xml|\.htaccess\b|\.ssh/(?:id_rsa|authorized_keys)",
            re.I,
        ),
    ),
    ("traversal.null_byte", re.compile(r"\x00")),
]

_SHELL_COMMANDS = (
    r"cat|ls|id|whoami|uname|wget|curl|nc|ncat|netcat|bash|sh|zsh|ksh|ping|nslookup|dig|"
    r"sleep|echo|rm|chmod|chown|python[23]?|perl|ruby|php|powershell|pwsh|cmd(?:\.exe)?|"
    r"ifconfig|ipconfig|telnet|hostname|passwd|systeminfo|ps|kill|tftp|ftp|scp|ssh|base64|"
    r"xterm|touch|mkfifo|awk|sed|find|env|printenv|net|whoami|head|tail|more|type|dir"
)
_CMDI_RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "cmdi.separator_command",
        re.compile(
            r"(?:[;&|\n]|\$\(|`)\s*(?:/usr)?(?:/s?bin/)?(?:" + _SHELL_COMMANDS + r")"
            r"(?=$|[\s;&|`)<>]+(?:$|[-/$.'\"\d|;&`<>]|\S*/))",
            re.I,
        ),
    ),
    (
        "cmdi.substitution",
        re.compile(r"\$\((?:[^)]*)\)|`[^`]*\b(?:" + _SHELL_COMMANDS + r")\b[^`]*`"),
    ),
    ("cmdi.shell_variable", re.compile(r"\$\{?IFS\}?|\$\{?(?:PATH|HOME|SHELL)\}")),
]


_XSS = RuleSet(_XSS_RULES)
_TRAVERSAL = RuleSet(_TRAVERSAL_RULES)
_CMDI = RuleSet(_CMDI_RULES)


# The rules' own gates: without one of these characters or strings no rule of the
# family can match (the classifier searches them before the rules).
XSS_SIGNS = re.compile(r"[<>:\"'`(=]")
# And what one of the rules above needs besides, each part taken from one rule: a tag,
# an event handler's "=", a script or data URL, a call of a function scripts use,
# document or window.
XSS_NEEDS = re.compile(
    r"<|on[a-z]{3,}\s*=|script\s*:|data\s*:|document\s*\.|window\s*\."
    r"|(?:alert|prompt|confirm|eval|fromcharcode|settimeout|expression)\s*[(`]",
    re.I,
)
CMDI_SIGNS = re.compile(r"[;&|\n$`]")
TRAVERSAL_SIGNS = re.compile(
    r"\.\.|/etc/|/proc/|\\|file:|\.ini\b|\x00|WEB-INF|\.htaccess|\.ssh", re.I
)


def match_xss_rules(text: str) -> str | None:
    return _XSS.first(text)


def match_traversal_rules(text: str) -> str | None:
    return _TRAVERSAL.first(text)


def match_cmdi_rules(text: str) -> str | None:
    return _CMDI.first(text)


def match_xss(text: str) -> str | None:
    return match_xss_rules(text) if XSS_SIGNS.search(text) and XSS_NEEDS.search(text) else None


def match_traversal(text: str) -> str | None:
    return match_traversal_rules(text) if TRAVERSAL_SIGNS.search(text) else None


def match_cmdi(text: str) -> str | None:
    return match_cmdi_rules(text) if CMDI_SIGNS.search(text) else None
