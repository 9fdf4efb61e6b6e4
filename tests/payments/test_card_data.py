"""No card data anywhere: templates, forms, model fields, pages, stored rows, log lines."""

from __future__ import annotations

import inspect
import logging
import re
from pathlib import Path

import pytest
from django import forms as django_forms
from django.apps import apps
from django.core import serializers
from django.test import Client

import fortresa
from fortresa.payments import forms as payment_forms
from fortresa.payments.simulators.server import RunningSimulators
from tests.payments.conftest import held_booking, member_at_gateway, start_booking_payment

CARD_FIELD = re.compile(
    r"card.?number|cc.?(num|number|exp|csc)|\bcvv|\bcvc|\bcsc\b|security.?code|\bpan\b|"
    r"expiry|exp.?(month|year)|autocomplete=\"cc-",
    re.IGNORECASE,
)
# A PAN stands on its own (digits, maybe grouped by spaces or dashes); digits inside a
# longer token such as a hex digest or an identifier are not one.
DIGITS = re.compile(r"(?<![0-9A-Za-z])\d(?:[ -]?\d){12,18}(?![0-9A-Za-z])")
TEMPLATES = Path(fortresa.__file__).parent / "templates"


def luhn_valid(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def card_numbers(text: str) -> list[str]:
    found = (re.sub(r"[ -]", "", match) for match in DIGITS.findall(text))
    return [number for number in found if 13 <= len(number) <= 19 and luhn_valid(number)]


def test_the_pan_detector_finds_test_card_numbers_plain_and_grouped() -> None:
    text = "paid with 4111111111111111 and 5555 5555 5555 4444, not 4111111111111112"

    assert card_numbers(text) == ["4111111111111111", "5555555555554444"]


def test_no_payment_template_has_a_card_field() -> None:
    sources = [path.read_text() for path in (TEMPLATES / "payments").rglob("*.html")]

    assert sources
    assert [s for s in sources if CARD_FIELD.search(s)] == []


def test_no_payment_form_has_a_card_field() -> None:
    form_classes = [
        cls
        for _name, cls in inspect.getmembers(payment_forms, inspect.isclass)
        if issubclass(cls, django_forms.BaseForm) and cls.__module__ == payment_forms.__name__
    ]
    names = [name for cls in form_classes for name in cls.base_fields]

    assert form_classes
    assert [name for name in names if CARD_FIELD.search(name)] == []


def test_no_model_field_of_payments_or_bookings_holds_card_data() -> None:
    fields = [
        field.name
        for label in ("payments", "bookings")
        for model in apps.get_app_config(label).get_models()
        for field in model._meta.get_fields()
    ]

    assert [name for name in fields if CARD_FIELD.search(name)] == []


def test_a_whole_payment_leaves_no_card_number_in_pages_rows_or_logs(
    pay_club,  # type: ignore[no-untyped-def]
    payer,
    payer_client: Client,
    simulators: RunningSimulators,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    waiting = held_booking(pay_club, payer, hour=9)
    pages = [payer_client.get(f"/payments/booking/{waiting.pk}/").content.decode()]
    started = start_booking_payment(pay_club, payer, hour=12)
    location = member_at_gateway(started.checkout)
    pages.append(payer_client.get(location.replace("http://testserver", "")).content.decode())
    pages.append(payer_client.get("/payments/").content.decode())
    bodies = [item.body.decode() for item in simulators.store.take_outbox()]

    rows = serializers.serialize(
        "json",
        [
            obj
            for label in ("payments", "bookings", "core")
            for model in apps.get_app_config(label).get_models()
            for obj in model.objects.all()
        ],
    )

    assert started.payment.reference  # the flow ran
    assert "Payment received" in pages[-2]
    for text in [*pages, *bodies, rows, caplog.text]:
        assert card_numbers(text) == []
        assert not CARD_FIELD.search(text)
