"""Reads of hardening data for other areas (detection, the operator console)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from fortresa.hardening.models import CspReport


def csp_reports_since(moment: dt.datetime) -> QuerySet[CspReport]:
    return CspReport.objects.filter(received_at__gte=moment).order_by("received_at", "id")
