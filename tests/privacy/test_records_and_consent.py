"""Records of processing (Art. 30) and members' consents."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client

from fortresa.accounts.models import User
from fortresa.core.models import AuditEvent
from fortresa.privacy.consent import has_consented
from fortresa.privacy.models import Consent
from fortresa.privacy.records import processing_records


@pytest.mark.django_db
def test_records_list_the_fields_of_the_data_model() -> None:
    records = processing_records()
    accounts = next(a for a in records["activities"] if a["name"].startswith("Member accounts"))
    assert "accounts.User.phone" in accounts["fields"]
    assert "Contract (Art. 6(1)(b))" in accounts["legal_basis"]
    assert "1095 days" in accounts["retention"]


@pytest.mark.django_db
def test_records_follow_the_settings(settings: object) -> None:
    settings.EMAIL_HOST = "relay.example.test"  # type: ignore[attr-defined]
    settings.FORTRESA_DPO_CONTACT = "dpo@example.test"  # type: ignore[attr-defined]
    records = processing_records()
    assert records["dpo_contact"] == "dpo@example.test"
    assert any("relay.example.test" in r for r in records["activities"][0]["recipients"])


@pytest.mark.django_db
def test_operator_exports_records_as_json_and_csv(operator_client: Client) -> None:
    as_json = operator_client.get("/ops/privacy/records/?format=json")
    as_csv = operator_client.get("/ops/privacy/records/?format=csv")
    page = operator_client.get("/ops/privacy/records/")
    activities = json.loads(as_json.content)["activities"]
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode())))
    assert [r["name"] for r in rows] == [a["name"] for a in activities]
    assert page.status_code == 200
    assert b"Retention schedule" in page.content


@pytest.mark.django_db
def test_unknown_records_format_is_400(operator_client: Client) -> None:
    assert operator_client.get("/ops/privacy/records/?format=xml").status_code == 400


@pytest.mark.django_db
def test_member_cannot_read_the_records(member_client: Client) -> None:
    assert member_client.get("/ops/privacy/records/").status_code == 403


@pytest.mark.django_db
def test_no_consent_until_given(member: User) -> None:
    assert not has_consented(member, Consent.Purpose.NEWS_EMAILS)
    assert not has_consented(member, Consent.Purpose.CONTACT_SHARING)


@pytest.mark.django_db
def test_member_gives_and_withdraws_consent_on_the_privacy_page(
    member: User, member_client: Client
) -> None:
    member_client.post("/privacy/consents/", {"news_emails": "on", "contact_sharing": "on"})
    member.refresh_from_db()
    given = (has_consented(member, "news_emails"), member.share_contact_details)
    member_client.post("/privacy/consents/", {})
    member.refresh_from_db()
    withdrawn = (has_consented(member, "news_emails"), member.share_contact_details)
    assert (given, withdrawn) == ((True, True), (False, False))
    assert Consent.objects.filter(user=member).count() == 4
    assert AuditEvent.objects.filter(action="privacy.consent_changed").count() == 2


@pytest.mark.django_db
def test_privacy_page_shows_choices_export_and_erasure(member_client: Client) -> None:
    page = member_client.get("/privacy/").content.decode()
    assert 'action="/privacy/consents/"' in page
    assert 'action="/privacy/export/"' in page
    assert 'href="/privacy/erase/"' in page
    assert 'href="/accounts/profile/"' in page


@pytest.mark.django_db
def test_privacy_page_requires_sign_in(client: Client) -> None:
    assert client.get("/privacy/").status_code == 302
