"""Triage pages. Operators pass the accounts app's two-factor gate in real use; these
tests call the views directly for operators and go through the full stack for others."""

from __future__ import annotations

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.http import Http404, HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from fortresa.accounts.models import User
from fortresa.detection import views
from fortresa.detection.alerts import raise_alert
from fortresa.detection.models import Alert
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator() -> User:
    return make_user(is_staff=True)


@pytest.fixture
def alert() -> Alert:
    return raise_alert(
        kind=Alert.Kind.DB_BRUTE_FORCE_VALID_ROLE,
        severity=Alert.Severity.HIGH,
        source="pglog",
        subject="127.0.0.2",
        evidence={"role": "fortresa"},
    )


def _as(user: User, request: HttpRequest) -> HttpRequest:
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    request.csp_nonce = "n"  # type: ignore[attr-defined]
    return request


def _get(user: User, view: object, path: str, **kwargs: int) -> HttpResponse:
    request = _as(user, RequestFactory().get(path))
    return view(request, **kwargs)  # type: ignore[operator, no-any-return]


def test_anonymous_visitor_is_sent_to_login(client: Client) -> None:
    response = client.get("/ops/alerts/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_member_is_refused(member_client: Client) -> None:
    assert member_client.get("/ops/alerts/").status_code == 403


def test_operator_sees_alert_list(operator: User, alert: Alert) -> None:
    response = _get(operator, views.alert_list, "/ops/alerts/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Brute force on database credentials of an existing role" in content
    assert "<caption>" in content


def test_list_filters_by_state(operator: User, alert: Alert) -> None:
    response = _get(operator, views.alert_list, "/ops/alerts/?state=resolved")
    assert "No alerts match." in response.content.decode()


def test_unknown_filter_value_shows_form_error_not_500(operator: User, alert: Alert) -> None:
    response = _get(operator, views.alert_list, "/ops/alerts/?severity=apocalyptic")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_operator_sees_alert_detail_with_evidence(operator: User, alert: Alert) -> None:
    response = _get(operator, views.alert_detail, f"/ops/alerts/{alert.pk}/", alert_id=alert.pk)
    assert "fortresa" in response.content.decode()


def test_unknown_alert_is_404(operator: User) -> None:
    with pytest.raises(Http404):
        _get(operator, views.alert_detail, "/ops/alerts/999999/", alert_id=999999)


def test_operator_acknowledges_alert(operator: User, alert: Alert) -> None:
    request = _as(
        operator,
        RequestFactory().post(f"/ops/alerts/{alert.pk}/state/", {"state": "acknowledged"}),
    )
    response = views.alert_change_state(request, alert_id=alert.pk)
    alert.refresh_from_db()
    assert response.status_code == 302
    assert (alert.state, alert.state_changed_by) == ("acknowledged", operator)


def test_invalid_state_is_400_and_changes_nothing(operator: User, alert: Alert) -> None:
    request = _as(operator, RequestFactory().post("/x/", {"state": "deleted"}))
    response = views.alert_change_state(request, alert_id=alert.pk)
    alert.refresh_from_db()
    assert (response.status_code, alert.state) == (400, "new")


def test_state_change_refuses_get(operator: User, alert: Alert) -> None:
    response = _get(operator, views.alert_change_state, "/x/", alert_id=alert.pk)
    assert response.status_code == 405


def test_breach_action_refused_for_non_critical_alert(operator: User, alert: Alert) -> None:
    request = _as(operator, RequestFactory().post("/x/"))
    assert views.alert_open_breach(request, alert_id=alert.pk).status_code == 400
