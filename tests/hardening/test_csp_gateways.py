"""Forms may post to the payment gateways clubs enabled, and only to those."""

from __future__ import annotations

import pytest
from django.test import Client

from fortresa.payments.models import ClubGateway
from tests.factories import make_club


def _form_action(client: Client) -> str:
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    return next(d for d in policy.split("; ") if d.startswith("form-action"))


@pytest.mark.django_db
def test_form_action_allows_only_self_without_gateways() -> None:
    assert _form_action(Client()) == "form-action 'self'"


@pytest.mark.django_db
def test_form_action_allows_an_enabled_live_gateway() -> None:
    ClubGateway.objects.create(club=make_club(), provider="paybox", live=True, credentials=b"")
    action = _form_action(Client())
    assert "https://tpeweb.paybox.com" in action
    assert "preprod-tpeweb.paybox.com" not in action


@pytest.mark.django_db
def test_form_action_ignores_a_disabled_gateway() -> None:
    ClubGateway.objects.create(
        club=make_club(), provider="paypal", live=True, credentials=b"", enabled=False
    )
    assert "paypal" not in _form_action(Client())
