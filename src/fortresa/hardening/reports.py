"""Reading CSP violation reports, in both formats browsers send.

``report-uri`` posts ``application/csp-report``: ``{"csp-report": {"document-uri": ...}}``.
The Reporting API (``report-to``) posts ``application/reports+json``: a list of
``{"type": "csp-violation", "url": ..., "body": {"documentURL": ...}}``. Anything else,
or anything malformed, is rejected with ``ReportRejected``: the sender is untrusted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

MAX_BODY_BYTES = 16 * 1024
MAX_REPORTS_PER_POST = 20
CSP_URI_TYPES = frozenset({"application/csp-report"})
REPORTING_API_TYPES = frozenset({"application/reports+json"})
JSON_TYPES = frozenset({"application/json"})

# report-uri name -> Reporting API name, and the stored length of each.
_FIELDS: dict[str, tuple[str, int]] = {
    "document-uri": ("documentURL", 500),
    "effective-directive": ("effectiveDirective", 100),
    "violated-directive": ("violatedDirective", 300),
    "blocked-uri": ("blockedURL", 500),
    "source-file": ("sourceFile", 500),
    "disposition": ("disposition", 20),
    "script-sample": ("sample", 200),
}


class ReportRejected(ValueError):
    """The body is not a CSP report we accept; ``status`` is the HTTP answer to give."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ParsedReport:
    format: str
    fields: dict[str, str] = field(default_factory=dict)
    line_number: int | None = None
    raw: dict[str, Any] = field(default_factory=dict)


def parse_reports(content_type: str, body: bytes) -> list[ParsedReport]:
    """The CSP violations in one POST body; raises ``ReportRejected``."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in CSP_URI_TYPES | REPORTING_API_TYPES | JSON_TYPES:
        raise ReportRejected(f"unsupported content type {media_type!r}", status=415)
    if len(body) > MAX_BODY_BYTES:
        raise ReportRejected("report too large", status=413)
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ReportRejected("body is not JSON") from exc

    if isinstance(document, dict) and media_type not in REPORTING_API_TYPES:
        report = document.get("csp-report")
        if not isinstance(report, dict):
            raise ReportRejected("no csp-report object")
        return [_parsed("report-uri", report, document, camel=False)]
    if isinstance(document, list) and media_type not in CSP_URI_TYPES:
        if len(document) > MAX_REPORTS_PER_POST:
            raise ReportRejected("too many reports in one request", status=413)
        parsed = [
            _parsed("reporting-api", item["body"], item, camel=True)
            for item in document
            if isinstance(item, dict)
            and item.get("type") == "csp-violation"
            and isinstance(item.get("body"), dict)
        ]
        if not parsed:
            raise ReportRejected("no csp-violation report")
        return parsed
    raise ReportRejected("body is neither a csp-report nor a list of reports")


def _parsed(format: str, body: dict[str, Any], raw: dict[str, Any], *, camel: bool) -> ParsedReport:
    fields = {}
    for name, (camel_name, limit) in _FIELDS.items():
        value = body.get(camel_name if camel else name)
        fields[name] = value[:limit] if isinstance(value, str) else ""
    line = body.get("lineNumber" if camel else "line-number")
    line_number = (
        line if isinstance(line, int) and not isinstance(line, bool) and 0 <= line < 2**31 else None
    )
    return ParsedReport(format=format, fields=fields, line_number=line_number, raw=raw)
