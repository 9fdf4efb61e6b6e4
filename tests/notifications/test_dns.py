"""``fortresa email dns`` and ``check-dns`` against a local DNS server (dnslib)."""

from __future__ import annotations

import dataclasses
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fortresa.notifications.config import email_config
from fortresa.notifications.dns import expected_records
from tests.notifications.conftest import DOMAIN

pytestmark = pytest.mark.django_db


def _publish_correct(dns_server) -> None:  # type: ignore[no-untyped-def]
    for record in expected_records(email_config(), DOMAIN):
        dns_server.records[record.name] = [record.value]


def _check(dns_server) -> tuple[list[dict[str, str]], bool]:  # type: ignore[no-untyped-def]
    out = StringIO()
    try:
        call_command("email", "check-dns", "--json", "--nameserver", dns_server.address, stdout=out)
    except CommandError:
        return json.loads(out.getvalue()), False
    return json.loads(out.getvalue()), True


def _status(findings: list[dict[str, str]], record: str) -> str:
    return next(f["status"] for f in findings if f["record"] == record)


def test_dns_command_prints_spf_dkim_and_a_quarantine_dmarc(email_settings):
    out = StringIO()

    call_command("email", "dns", stdout=out)

    text = out.getvalue()
    assert f'{DOMAIN}. IN TXT "v=spf1 ip4:192.0.2.10 -all"' in text
    assert f'fortresa1._domainkey.{DOMAIN}. IN TXT "v=DKIM1; k=rsa; p=' in text
    assert f'_dmarc.{DOMAIN}. IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@{DOMAIN}' in text


def test_published_records_pass_the_check(email_settings, dns_server):
    _publish_correct(dns_server)

    findings, passed = _check(dns_server)

    assert passed
    assert {f["status"] for f in findings} == {"ok"}
    assert {f["record"] for f in findings} >= {
        "spf",
        "dkim",
        "dmarc",
        "dkim-alignment",
        "spf-alignment",
    }


def test_missing_records_are_reported_with_a_non_zero_exit(email_settings, dns_server):
    findings, passed = _check(dns_server)

    assert not passed
    assert (
        _status(findings, "spf")
        == _status(findings, "dkim")
        == _status(findings, "dmarc")
        == "missing"
    )


def test_wrong_dkim_key_and_weak_dmarc_policy_are_reported(email_settings, dns_server):
    _publish_correct(dns_server)
    dns_server.records[f"fortresa1._domainkey.{DOMAIN}"] = ["v=DKIM1; k=rsa; p=MIIBIjANBgkq"]
    dns_server.records[f"_dmarc.{DOMAIN}"] = [f"v=DMARC1; p=none; rua=mailto:d@{DOMAIN}"]

    findings, passed = _check(dns_server)

    assert not passed
    assert _status(findings, "dkim") == "wrong"
    assert _status(findings, "dmarc") == "wrong"


def test_spf_that_allows_everyone_or_not_the_relay_is_wrong(email_settings, dns_server):
    _publish_correct(dns_server)
    dns_server.records[DOMAIN] = ["v=spf1 ip4:192.0.2.10 +all"]

    findings, passed = _check(dns_server)

    assert not passed
    assert _status(findings, "spf") == "wrong"


def test_from_domain_of_another_organisation_is_unaligned(email_settings, dns_server):
    _publish_correct(dns_server)
    email_settings.FORTRESA_EMAIL = dataclasses.replace(
        email_settings.FORTRESA_EMAIL, from_email="Fortresa <no-reply@elsewhere.example>"
    )
    dns_server.records["_dmarc.elsewhere.example"] = [
        "v=DMARC1; p=quarantine; rua=mailto:d@elsewhere.example"
    ]

    findings, passed = _check(dns_server)

    assert not passed
    assert _status(findings, "dkim-alignment") == "unaligned"
    assert _status(findings, "spf-alignment") == "unaligned"


def test_strict_alignment_refuses_a_subdomain(email_settings, dns_server):
    _publish_correct(dns_server)
    email_settings.FORTRESA_EMAIL = dataclasses.replace(
        email_settings.FORTRESA_EMAIL, from_email="Fortresa <no-reply@example.test>"
    )
    dns_server.records["_dmarc.example.test"] = [
        "v=DMARC1; p=reject; rua=mailto:d@example.test; adkim=s; aspf=s"
    ]

    findings, _passed = _check(dns_server)

    assert _status(findings, "dkim-alignment") == "unaligned"


def test_dkim_keygen_writes_a_new_selector_and_prints_its_record(email_settings):
    out = StringIO()

    call_command("email", "dkim-keygen", "--selector", "2027a", "--json", stdout=out)
    again = pytest.raises(CommandError, call_command, "email", "dkim-keygen", "--selector", "2027a")

    document = json.loads(out.getvalue())
    assert document["name"] == f"2027a._domainkey.{DOMAIN}"
    assert document["value"].startswith("v=DKIM1; k=rsa; p=")
    assert "exists already" in str(again.value)
