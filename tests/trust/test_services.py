"""Payments, email authenticity and the organisation's declared facts."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fortresa.notifications.config import email_config
from fortresa.notifications.dns import expected_records
from fortresa.notifications.models import DnsCheck
from fortresa.payments.services.gateways import configure_gateway
from fortresa.trust.providers.base import Status
from fortresa.trust.providers.services import (
    ClubPaymentsProvider,
    EmailProvider,
    OrganisationProvider,
    PaymentsProvider,
    card_data_fields,
)
from tests.factories import make_club
from tests.notifications.servers import DnsServer

pytestmark = pytest.mark.django_db
DOMAIN = "mail.example.test"


def _facts(section: Any) -> dict[str, Any]:
    return {fact.key: fact.value for fact in section.facts}


def test_no_enabled_gateway_is_not_configured():
    assert PaymentsProvider().build(now=timezone.now()).status == Status.NOT_CONFIGURED


def test_gateways_in_use_are_named_and_no_card_field_exists():
    club = make_club()
    configure_gateway(actor=None, club=club, provider="paypal", credentials={})
    configure_gateway(
        actor=None, club=make_club(), provider="stripe", credentials={}, enabled=False
    )

    section = PaymentsProvider().build(now=timezone.now())

    assert section.status == Status.MET
    assert _facts(section) == {"gateways": ["PayPal"], "card_data_stored": False}
    assert card_data_fields() == []


def test_club_payments_show_only_that_clubs_gateway():
    club, other = make_club(), make_club()
    configure_gateway(actor=None, club=other, provider="paypal", credentials={})

    assert ClubPaymentsProvider().build(now=timezone.now(), club=club).status == (
        Status.NOT_CONFIGURED
    )
    configure_gateway(actor=None, club=club, provider="stripe", credentials={})
    section = ClubPaymentsProvider().build(now=timezone.now(), club=club)
    assert _facts(section)["gateways"] == ["Stripe"]


@pytest.fixture
def dns_server(settings: Any, tmp_path: Any) -> Iterator[DnsServer]:
    settings.FORTRESA_EMAIL = dataclasses.replace(
        settings.FORTRESA_EMAIL,
        from_email=f"Fortresa <no-reply@{DOMAIN}>",
        domain=DOMAIN,
        dkim_key_dir=tmp_path / "dkim",
        dmarc_rua=f"mailto:dmarc@{DOMAIN}",
        spf_mechanisms=("ip4:192.0.2.10",),
    )
    server = DnsServer()
    server.start()
    yield server
    server.stop()


def _check_dns(server: DnsServer) -> None:
    # The command exits non-zero when a record is wrong; what it recorded is the point.
    with contextlib.suppress(CommandError):
        call_command("email", "check-dns", "--nameserver", server.address, stdout=StringIO())


def test_email_is_not_configured_before_any_dns_check():
    assert EmailProvider().build(now=timezone.now()).status == Status.NOT_CONFIGURED


def test_published_records_checked_by_the_command_are_met(dns_server):
    for record in expected_records(email_config(), DOMAIN):
        dns_server.records[record.name] = [record.value]

    _check_dns(dns_server)

    section = EmailProvider().build(now=timezone.now())
    assert section.status == Status.MET, section.reasons
    group = section.groups[0]
    assert group.key == f"domain:{DOMAIN}"
    assert {f.key: f.value for f in group.facts if f.key != "checked_at"} == {
        "spf": True,
        "dkim": True,
        "dmarc": True,
        "dkim-alignment": True,
        "spf-alignment": True,
    }
    assert "192.0.2.10" not in repr(section)


def test_dmarc_removed_since_the_last_check_degrades(dns_server):
    for record in expected_records(email_config(), DOMAIN):
        dns_server.records[record.name] = [record.value]
    _check_dns(dns_server)
    del dns_server.records[f"_dmarc.{DOMAIN}"]

    _check_dns(dns_server)

    section = EmailProvider().build(now=timezone.now())
    assert section.status == Status.DEGRADED
    assert {f.key: f.value for f in section.groups[0].facts}["dmarc"] is False


def test_dns_check_older_than_eight_days_degrades():
    DnsCheck.objects.create(
        domain=DOMAIN,
        checked_at=timezone.now() - dt.timedelta(days=9),
        passed=True,
        results=[{"record": "spf", "status": "ok"}],
    )

    assert EmailProvider().build(now=timezone.now()).status == Status.DEGRADED


def test_organisation_facts_are_declared_not_measured(settings, monkeypatch):
    settings.FORTRESA_DPO_CONTACT = "dpo@courts.example"
    monkeypatch.setenv("FORTRESA_HOSTING_LOCATION", "France")
    monkeypatch.setenv("FORTRESA_CERTIFICATIONS", "ISO 27001, HDS")

    section = OrganisationProvider().build(now=timezone.now())

    assert section.status == Status.DECLARED
    assert section.declared
    assert _facts(section) == {
        "dpo_contact": "dpo@courts.example",
        "hosting_location": "France",
        "certifications": ["ISO 27001", "HDS"],
    }


def test_organisation_without_declared_facts_is_not_configured(settings, monkeypatch):
    settings.FORTRESA_DPO_CONTACT = ""
    monkeypatch.delenv("FORTRESA_HOSTING_LOCATION", raising=False)
    monkeypatch.delenv("FORTRESA_CERTIFICATIONS", raising=False)

    assert OrganisationProvider().build(now=timezone.now()).status == Status.NOT_CONFIGURED
