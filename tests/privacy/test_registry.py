"""The registry of personal data covers the whole data model."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from fortresa.privacy.registry import NOT_EXPORTED, PERSONAL_DATA, Erase

_PERSONAL_NAME = re.compile(
    r"email|name|phone|address|ip|agent|note|message|subject|recipient|label|reason|detail"
    r"|comment|description|title|body|target|sample|uri|author|actor|source|evidence|user|guest",
    re.IGNORECASE,
)


def _looks_personal(field: models.Field) -> bool:  # type: ignore[type-arg]
    if field.is_relation and field.related_model is not None:
        return field.related_model._meta.label == settings.AUTH_USER_MODEL
    if isinstance(
        field,
        models.EmailField
        | models.GenericIPAddressField
        | models.TextField
        | models.JSONField
        | models.BinaryField,
    ):
        return True
    return isinstance(field, models.CharField) and bool(_PERSONAL_NAME.search(field.name))


@pytest.mark.smoke
def test_every_field_that_looks_personal_is_exported_or_declared_not_personal() -> None:
    exported = {(e.model, name) for e in PERSONAL_DATA for name in e.fields}
    forgotten = []
    for model in apps.get_models():
        label = model._meta.label
        fields = [*model._meta.concrete_fields, *model._meta.many_to_many]
        for field in fields:
            if not _looks_personal(field):
                continue
            if (label, field.name) in exported or field.name in NOT_EXPORTED.get(label, {}):
                continue
            forgotten.append(f"{label}.{field.name}")
    assert forgotten == [], forgotten


@pytest.mark.smoke
def test_a_new_personal_field_would_be_flagged() -> None:
    field = models.CharField(name="emergency_contact_phone", max_length=40)
    assert _looks_personal(field)


@pytest.mark.smoke
def test_registry_names_only_fields_that_exist() -> None:
    missing = []
    for entry in PERSONAL_DATA:
        model = entry.model_class()
        if model is None:
            continue
        names = {f.name for f in model._meta.get_fields()}
        missing += [f"{entry.model}.{n}" for n in (*entry.fields, *entry.clear) if n not in names]
    assert missing == []


@pytest.mark.smoke
def test_every_erasure_rule_is_known() -> None:
    rules = {Erase.ANONYMISE, Erase.DELETE, Erase.KEEP, Erase.REDACT}
    assert {entry.erase for entry in PERSONAL_DATA} <= rules
