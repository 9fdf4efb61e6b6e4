"""A member's copy of their data (Art. 15 and 20): one zip with JSON and CSV, built
from the registry so it holds every kind of personal data the model stores."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import uuid
import zipfile
from typing import Any

from django.db import models
from django.utils import timezone

from fortresa.accounts.models import User
from fortresa.privacy.registry import installed_entries, rows_of

ExportedRow = dict[str, Any]


def _value(instance: models.Model, name: str) -> Any:
    field = instance._meta.get_field(name)
    if field.many_to_many:
        return [str(related) for related in getattr(instance, name).all()]
    if field.is_relation:
        related = getattr(instance, name)
        return str(related) if related is not None else None
    value = getattr(instance, name)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    return value


def collect_personal_data(user: User) -> dict[str, list[ExportedRow]]:
    """Every registered model's rows about ``user``: model label -> rows of fields."""
    collected: dict[str, list[ExportedRow]] = {}
    for entry, model in installed_entries():
        rows = [
            {"id": row.pk, **{name: _value(row, name) for name in entry.fields}}
            for row in rows_of(entry, model, user)
        ]
        if rows:
            collected[entry.model] = rows
    return collected


def _csv(rows: list[ExportedRow]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                key: json.dumps(value, ensure_ascii=False)
                if isinstance(value, list | dict)
                else value
                for key, value in row.items()
            }
        )
    return buffer.getvalue()


def build_export_archive(user: User) -> bytes:
    """The zip a member downloads: ``data.json`` and one CSV file per kind of data."""
    collected = collect_personal_data(user)
    document = {
        "generated_at": timezone.now().isoformat(),
        "subject": {"id": user.pk, "email": user.email},
        "data": collected,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json", json.dumps(document, ensure_ascii=False, indent=2, default=str)
        )
        for label, rows in collected.items():
            # A UTF-8 byte order mark lets spreadsheet programs read accents correctly.
            archive.writestr(f"csv/{label}.csv", "\ufeff" + _csv(rows))
    return buffer.getvalue()
