from __future__ import annotations

import json

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from fortresa.detection.models import Alert
from fortresa.detection.sensors.http import DetectionMiddleware

pytestmark = pytest.mark.django_db

ATTACK = "1' UNION ALL SELECT NULL,password FROM accounts_user-- -"


def test_query_string_injection_raises_sql_injection_alert(client: Client) -> None:
    client.get("/", {"q": ATTACK}, REMOTE_ADDR="198.51.100.7")
    alert = Alert.objects.get()
    assert (alert.kind, alert.subject, alert.source) == ("sql_injection", "198.51.100.7", "http")
    assert alert.evidence["location"] == "query"
    assert alert.evidence["field"] == "q"
    assert alert.evidence["rule"] == "sqli.union_select"


def test_form_field_injection_is_detected(client: Client) -> None:
    client.post(
        "/accounts/login/",
        {"username": "x' OR '1'='1'-- ", "password": "whatever"},  # pragma: allowlist secret
    )  # pragma: allowlist secret
    assert Alert.objects.get().evidence["field"] == "username"


def test_password_field_is_never_inspected(client: Client) -> None:
    client.post("/accounts/login/", {"username": "a@b.test", "password": ATTACK})
    assert not Alert.objects.exists()


def test_one_time_code_field_is_never_inspected(client: Client) -> None:
    client.post("/accounts/login/", {"code": "<script>alert(1)</script>"})
    assert not Alert.objects.exists()


def test_json_body_values_are_inspected(client: Client) -> None:
    body = {"booking": {"note": "<img src=x onerror=alert(1)>"}, "password": ATTACK}
    client.post("/", data=json.dumps(body), content_type="application/json")
    alert = Alert.objects.get()
    assert (alert.kind, alert.evidence["field"]) == ("xss", "booking.note")


def test_header_injection_is_detected(client: Client) -> None:
    client.get("/", HTTP_USER_AGENT="sqlmap' AND SLEEP(5)-- x")
    assert Alert.objects.get().evidence["location"] == "header"


def test_cookie_injection_is_detected_without_storing_session_cookie(client: Client) -> None:
    client.cookies["__Host-sessionid"] = "abc' AND 1=1-- x"
    client.get("/")
    alert = Alert.objects.get()
    assert alert.evidence["location"] == "cookie"
    assert "abc'" not in json.dumps(alert.evidence)


def test_path_traversal_in_query_is_detected(client: Client) -> None:
    client.get("/", {"file": "../../../../etc/passwd"})
    assert Alert.objects.get().kind == "path_traversal"


def test_ordinary_request_raises_nothing(client: Client) -> None:
    client.get("/", {"q": "l'équipe de France", "phone": "(0546)-313411"})
    assert not Alert.objects.exists()


def test_monitor_mode_lets_the_request_through(client: Client) -> None:
    response = client.get("/", {"q": ATTACK})
    assert response.status_code == 200
    assert Alert.objects.get().evidence["action"] == "allowed"


def test_block_mode_answers_403_page_and_alerts(settings: SettingsWrapper, client: Client) -> None:
    settings.FORTRESA_DETECTION_MODE = "block"
    response = client.get("/", {"q": ATTACK})
    assert response.status_code == 403
    assert "Request refused" in response.content.decode()
    assert Alert.objects.get().evidence["action"] == "blocked"


def test_repeated_attack_on_one_field_is_one_alert(client: Client) -> None:
    for _ in range(3):
        client.get("/", {"q": ATTACK})
    assert Alert.objects.get().count == 3


def test_burst_of_access_denials_from_one_source_alerts(
    settings: SettingsWrapper, member_client: Client
) -> None:
    for _ in range(20):
        member_client.get("/ops/alerts/", REMOTE_ADDR="192.0.2.50")
    alert = Alert.objects.get(kind=Alert.Kind.ACCESS_DENIED_BURST)
    assert alert.subject == "192.0.2.50"


def test_middleware_reads_mode_when_built(settings: SettingsWrapper) -> None:
    settings.FORTRESA_DETECTION_MODE = "block"
    assert DetectionMiddleware(lambda request: None).block  # type: ignore[arg-type, return-value]


def test_a_forged_host_is_refused_before_it_is_inspected(client: Client) -> None:
    # The sensor skips Host: Django answers 400 to any Host it does not serve, first.
    response = client.get("/", HTTP_HOST="x' OR '1'='1")
    assert response.status_code == 400
    assert not Alert.objects.exists()
