"""Storing CSP violation reports; detection polls them (``detection.sensors.csp``)."""

from __future__ import annotations

from django.db import transaction

from fortresa.hardening.models import CspReport
from fortresa.hardening.reports import ParsedReport


def store_csp_reports(
    *,
    reports: list[ParsedReport],
    ip_address: str | None,
    user_agent: str,
) -> list[CspReport]:
    """Store each report in one transaction.

    Reports are sent by browsers without credentials, so there is no actor: the caller
    rate-limits by address before calling. Detection reads new rows by primary key.
    """
    stored: list[CspReport] = []
    with transaction.atomic():
        for report in reports:
            stored.append(
                CspReport.objects.create(
                    format=report.format,
                    document_uri=report.fields["document-uri"],
                    effective_directive=report.fields["effective-directive"],
                    violated_directive=report.fields["violated-directive"],
                    blocked_uri=report.fields["blocked-uri"],
                    source_file=report.fields["source-file"],
                    line_number=report.line_number,
                    disposition=report.fields["disposition"],
                    sample=report.fields["script-sample"],
                    user_agent=user_agent[:300],
                    ip_address=ip_address,
                    raw=report.raw,
                )
            )
    return stored
