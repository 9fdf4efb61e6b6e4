"""Payments, email authentication and the organisation's declared facts."""

from __future__ import annotations

import datetime as dt
import re
from abc import abstractmethod
from importlib import import_module

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from fortresa.clubs.models import Club
from fortresa.trust.conf import declared_facts
from fortresa.trust.providers.base import (
    Fact,
    Group,
    Provider,
    Section,
    Status,
    latest,
    register,
    register_club,
)

# Field names that would hold card data (PAN, security code, expiry) anywhere in the schema.
CARD_FIELD = re.compile(
    r"^(card_?(number|no|code|cvv|cvc|expiry|exp_month|exp_year)|cvv2?|cvc2?|pan|"
    r"primary_account_number)$"
)
DNS_CHECK_MAX_AGE = dt.timedelta(days=8)
DNS_RECORD_LABELS = {
    "spf": _("SPF record"),
    "dkim": _("DKIM key"),
    "dmarc": _("DMARC policy"),
    "dkim-alignment": _("DKIM aligned with the sender"),
    "spf-alignment": _("SPF aligned with the sender"),
    "dns": _("DNS lookup"),
}


def card_data_fields() -> list[str]:
    """Model fields anywhere in the installed apps whose name says they hold card data."""
    return [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if CARD_FIELD.match(field.name.lower())
    ]


def _provider_names(identifiers: list[str]) -> list[str]:
    registry = import_module("fortresa.payments.providers").PROVIDERS
    return [str(getattr(registry.get(name), "name", name)) for name in identifiers]


class _PaymentsBase(Provider):
    slug = "payments"
    title = _("Online payments")
    promise = _(
        "Payments are made on the gateway's own pages; no card number or security code ever "
        "reaches this platform (PCI DSS SAQ A)."
    )
    requires_app = "fortresa.payments"

    @abstractmethod
    def gateways(self, club: Club | None) -> list[str]: ...

    def evaluate(self, *, now: dt.datetime, club: Club | None = None) -> Section:
        gateways = self.gateways(club)
        if not gateways:
            return self.not_configured(_("No payment gateway is enabled."))
        stored = card_data_fields()
        facts = (
            Fact("gateways", _("Payment gateways in use"), _provider_names(gateways)),
            Fact("card_data_stored", _("Card data stored"), bool(stored), "yesno"),
        )
        return self.section(
            Status.DEGRADED if stored else Status.MET,
            facts=facts,
            checked_at=now,
            reasons=(_("The database has fields meant for card data."),) if stored else (),
        )


@register
class PaymentsProvider(_PaymentsBase):
    def gateways(self, club: Club | None) -> list[str]:
        model = apps.get_model("payments", "ClubGateway")
        return sorted(set(model.objects.filter(enabled=True).values_list("provider", flat=True)))


@register_club
class ClubPaymentsProvider(_PaymentsBase):
    slug = "club_payments"

    def gateways(self, club: Club | None) -> list[str]:
        gateway = import_module("fortresa.payments.selectors").gateway_of(club)
        return [gateway.provider] if gateway is not None and gateway.enabled else []


@register
class EmailProvider(Provider):
    slug = "email"
    title = _("Email authenticity")
    promise = _(
        "Every email is signed (DKIM) and the sending domain publishes SPF and a DMARC policy "
        "asking receivers to quarantine or reject forgeries."
    )
    requires_app = "fortresa.notifications"

    def evaluate(self, *, now: dt.datetime, club: Club | None = None) -> Section:
        checks = import_module("fortresa.notifications.selectors").latest_dns_checks()
        if not checks:
            return self.not_configured(_("The email DNS records have not been checked yet."))
        groups = []
        problems = []
        for check in checks:
            facts = [Fact("checked_at", _("Last checked"), check.checked_at, "datetime")]
            facts += [
                Fact(
                    result["record"],
                    DNS_RECORD_LABELS.get(result["record"], result["record"]),
                    result["status"] == "ok",
                    "yesno",
                )
                for result in check.results
            ]
            groups.append(Group(f"domain:{check.domain}", check.domain, tuple(facts)))
            if not check.passed:
                problems.append(
                    _("The last check of %(domain)s found a problem.") % {"domain": check.domain}
                )
            elif now - check.checked_at > DNS_CHECK_MAX_AGE:
                problems.append(
                    _("%(domain)s was last checked more than eight days ago.")
                    % {"domain": check.domain}
                )
        return self.section(
            Status.DEGRADED if problems else Status.MET,
            groups=tuple(groups),
            checked_at=latest(*(check.checked_at for check in checks)),
            reasons=tuple(problems),
            how_to_check=(_("Operators: fortresa email check-dns."),),
        )


@register
class OrganisationProvider(Provider):
    slug = "organisation"
    title = _("Organisation")
    promise = _(
        "Who is responsible for your data, where it is hosted and which certifications the "
        "operator holds. These are declared by the operator, not measured by the platform."
    )

    def evaluate(self, *, now: dt.datetime, club: Club | None = None) -> Section:
        declared = declared_facts()
        if not declared.any:
            return self.not_configured(_("The operator has not declared these facts."))
        facts = []
        if declared.dpo_contact:
            facts.append(Fact("dpo_contact", _("Data protection officer"), declared.dpo_contact))
        if declared.hosting_location:
            facts.append(Fact("hosting_location", _("Hosting location"), declared.hosting_location))
        if declared.certifications:
            facts.append(Fact("certifications", _("Certifications"), list(declared.certifications)))
        return self.section(Status.DECLARED, facts=tuple(facts))
