"""Find and replace a person's identifying strings wherever the database holds them.

The registry says what to do with the rows that belong to a member; this pass catches
what the registry cannot know: their email or name quoted in someone else's row (an
admin log entry, an event's details, an alert's evidence). Audit events are rewritten
only through ``core.audit.redact_events`` so the chain stays verifiable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast

from fortresa.core.audit import redact_events
from fortresa.core.models import AuditEvent

Needles = list[tuple[str, str]]


def needles_for(*, email: str, full_name: str, phone: str, pseudonym: str) -> Needles:
    """What to look for and what to put instead. Very short names are left out: they
    would match unrelated words."""
    found: Needles = [(email, f"{pseudonym}@erased.invalid")]
    if len(full_name.strip()) >= 4:
        found.append((full_name.strip(), pseudonym))
    if sum(ch.isdigit() for ch in phone) >= 6:
        found.append((phone.strip(), ""))
    return found


def replace_in(value: Any, needles: Needles) -> Any:
    """``value`` with every needle replaced, recursing into JSON lists and objects."""
    if isinstance(value, str):
        for needle, replacement in needles:
            value = re.sub(re.escape(needle), replacement, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [replace_in(item, needles) for item in value]
    if isinstance(value, dict):
        return {replace_in(k, needles): replace_in(v, needles) for k, v in value.items()}
    return value


def _text_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
        and not field.choices
        and not field.primary_key
    ]


def _matching(model: type[models.Model], field: models.Field[Any, Any], needles: Needles) -> Any:
    rows = model._default_manager.all()
    lookup = field.name
    if isinstance(field, models.JSONField):
        rows = rows.annotate(_scrub_text=Cast(field.name, models.TextField()))
        lookup = "_scrub_text"
    condition = Q(pk__in=[])
    for needle, _replacement in needles:
        condition |= Q(**{f"{lookup}__icontains": needle})
    return rows.filter(condition)


def scrub_database(needles: Needles, *, skip: Iterable[type[models.Model]] = ()) -> int:
    """Replace the needles in every text column of every model but the audit log."""
    skipped = {AuditEvent, *skip}
    changed = 0
    for model in apps.get_models():
        if model in skipped or model._meta.proxy or not model._meta.managed:
            continue
        for field in _text_fields(model):
            for row in _matching(model, field, needles):
                value = getattr(row, field.attname)
                model._default_manager.filter(pk=row.pk).update(
                    **{field.attname: replace_in(value, needles)}
                )
                changed += 1
    return changed


def redact_audit_log(*, user_id: int, needles: Needles, pseudonym: str) -> int:
    """Redact the subject from the audit log: their label and address on their own
    events, and the needles wherever else they appear."""
    condition = Q(actor_id=user_id)
    for needle, _replacement in needles:
        condition |= (
            Q(actor_label__icontains=needle)
            | Q(target__icontains=needle)
            | Q(_details_text__icontains=needle)
        )
    events = AuditEvent.objects.annotate(_details_text=Cast("details", models.TextField())).filter(
        condition
    )
    changes: dict[int, dict[str, Any]] = {}
    for event in events:
        values: dict[str, Any] = {
            "actor_label": replace_in(event.actor_label, needles),
            "target": replace_in(event.target, needles),
            "details": replace_in(event.details, needles),
        }
        if event.actor_id == user_id:
            values["actor_label"] = pseudonym
            values["ip_address"] = None
        current = {name: getattr(event, name) for name in values}
        if values != current:
            changes[event.pk] = values
    redact_events(changes=changes, reason="erasure", target=f"user:{user_id}")
    return len(changes)
