from __future__ import annotations

import pytest
from django.test import Client

from fortresa.detection.models import Alert


@pytest.mark.django_db
def test_injection_with_a_nul_byte_is_refused_and_still_alerted() -> None:
    response = Client().get("/", {"q": "x\x00' OR '1'='1' --"})

    assert response.status_code == 400
    alert = Alert.objects.get()
    assert "\x00" not in str(alert.evidence)
    assert "\\x00" in str(alert.evidence)


@pytest.mark.django_db
def test_form_field_with_a_nul_byte_is_refused_before_any_view() -> None:
    response = Client().post("/accounts/login/", {"username": "a\x00@b.test", "password": "x"})

    assert response.status_code == 400
    assert b"not allowed" in response.content
