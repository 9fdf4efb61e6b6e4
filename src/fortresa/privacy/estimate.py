"""Estimating who and what a breach touched, from an alert's evidence.

The basis is what the evidence tells: the tables named (or found in a SQL statement),
the club (named, or from a club page's path) and the time window. Every registered
table holding personal data is then counted within that scope: rows that existed by the
end of the window, in that club. With no table named, every personal table is assumed
(the worst case), and the basis says so; the operator corrects the numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import models

from fortresa.accounts.models import User
from fortresa.clubs.models import Club
from fortresa.privacy.registry import PersonalData, installed_entries

_TABLE = re.compile(
    r"\b(?:from|join|into|update|table|copy)\s+(?:only\s+)?(?:\"?public\"?\.)?\"?([a-z_][a-z0-9_]*)",
    re.IGNORECASE,
)
_CLUB_PATH = re.compile(r"^/c/(?P<slug>[-\w]+)/")
_TEXT_KEYS = ("statement", "query", "message", "detail")


@dataclass(frozen=True)
class Estimate:
    subjects: int
    records: int
    basis: dict[str, Any]


def _tables_in(evidence: dict[str, Any]) -> set[str]:
    named = evidence.get("tables")
    tables = {str(t).lower() for t in named} if isinstance(named, list) else set()
    for key in _TEXT_KEYS:
        text = evidence.get(key)
        if isinstance(text, str):
            tables.update(match.lower() for match in _TABLE.findall(text))
    return tables


def _club_in(evidence: dict[str, Any]) -> Club | None:
    for key in ("club", "club_slug"):
        if isinstance(evidence.get(key), str):
            return Club.objects.filter(slug=evidence[key]).first()
    club_id = evidence.get("club_id")
    if isinstance(club_id, int):
        return Club.objects.filter(pk=club_id).first()
    match = _CLUB_PATH.match(str(evidence.get("path") or ""))
    return Club.objects.filter(slug=match.group("slug")).first() if match else None


def basis_from_evidence(
    evidence: dict[str, Any], *, started: dt.datetime, ended: dt.datetime
) -> dict[str, Any]:
    """What the evidence says about scope, as stored on the breach record."""
    latest = evidence.get("latest")
    sources = [evidence, latest] if isinstance(latest, dict) else [evidence]
    tables: set[str] = set()
    club: Club | None = None
    for source in sources:
        tables |= _tables_in(source)
        club = club or _club_in(source)
    return {
        "tables": sorted(tables),
        "club_id": club.pk if club else None,
        "from": started.isoformat(),
        "until": ended.isoformat(),
    }


def _tables_of(model: type[models.Model]) -> set[str]:
    tables = {model._meta.db_table}
    for field in model._meta.many_to_many:
        through = getattr(field.remote_field, "through", None)
        if through is not None:
            tables.add(through._meta.db_table)
    return tables


def _scoped(entry: PersonalData, model: type[models.Model], basis: dict[str, Any]) -> Any:
    rows = model._default_manager.all()
    if basis.get("club_id") and entry.club:
        rows = rows.filter(**{entry.club: basis["club_id"]})
    if basis.get("until") and entry.created:
        rows = rows.filter(**{f"{entry.created}__lte": dt.datetime.fromisoformat(basis["until"])})
    return rows.distinct()


def _chosen(basis: dict[str, Any]) -> list[tuple[PersonalData, type[models.Model]]]:
    entries = [(e, m) for e, m in installed_entries() if e.subjects]
    named = set(basis.get("tables") or [])
    return [(e, m) for e, m in entries if _tables_of(m) & named] if named else entries


def affected_user_ids(basis: dict[str, Any]) -> set[int]:
    ids: set[int] = set()
    for entry, model in _chosen(basis):
        rows = _scoped(entry, model, basis)
        for lookup in entry.subjects:
            ids.update(i for i in rows.values_list(lookup, flat=True) if i is not None)
    return ids


def affected_members(basis: dict[str, Any]) -> Any:
    """The accounts a breach with this basis concerns, erased accounts left out."""
    return User.objects.filter(
        pk__in=affected_user_ids(basis), is_active=True, erasure__isnull=True
    ).order_by("pk")


def estimate_breach(basis: dict[str, Any]) -> Estimate:
    """Approximate numbers of data subjects and records for a breach basis."""
    chosen = _chosen(basis)
    records = sum(_scoped(entry, model, basis).count() for entry, model in chosen)
    full = dict(basis)
    full["models"] = sorted(entry.model for entry, _model in chosen)
    full["assumed_all_tables"] = not basis.get("tables")
    return Estimate(subjects=len(affected_user_ids(basis)), records=records, basis=full)
