"""Choosing a club's gateway and storing its credentials sealed."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from fortresa.clubs.models import Club
from fortresa.core.audit import record_event
from fortresa.payments.credentials import open_credentials, seal_credentials
from fortresa.payments.http import GatewayHttpClient
from fortresa.payments.models import ClubGateway
from fortresa.payments.providers import PaymentProvider, provider_class


class GatewayNotConfigured(Exception):
    """The club has no enabled payment gateway."""


def configure_gateway(
    *,
    actor: Any,
    club: Club,
    provider: str,
    credentials: dict[str, str],
    base_url: str = "",
    live: bool = False,
    enabled: bool = True,
    ip_address: str | None = None,
) -> ClubGateway:
    """Choose ``provider`` for ``club``; blank credential values keep the stored ones.

    The audit event names the fields that changed, never their values.
    """
    cls = provider_class(provider)
    with transaction.atomic():
        gateway = ClubGateway.objects.select_for_update().filter(club=club).first()
        stored: dict[str, str] = {}
        if gateway is not None and gateway.provider == provider and gateway.credentials:
            stored = open_credentials(bytes(gateway.credentials), club_id=club.pk)
        names = [field.name for field in cls.credential_fields]
        merged = {name: credentials.get(name) or stored.get(name, "") for name in names}
        changed = sorted(name for name in names if merged[name] != stored.get(name, ""))
        if gateway is None:
            gateway = ClubGateway(club=club)
        gateway.provider = provider
        gateway.base_url = base_url
        gateway.live = live
        gateway.enabled = enabled
        gateway.credentials = seal_credentials(merged, club_id=club.pk)
        gateway.save()
        record_event(
            action="payments.gateway_configured",
            actor=actor,
            club_id=club.pk,
            target=f"club:{club.pk}",
            ip_address=ip_address,
            details={
                "provider": provider,
                "live": live,
                "enabled": enabled,
                "base_url": base_url,
                "changed_fields": changed,
            },
        )
    return gateway


def provider_for(gateway: ClubGateway, *, http: GatewayHttpClient | None = None) -> PaymentProvider:
    """The provider object of ``gateway``, holding its opened credentials."""
    cls = provider_class(gateway.provider)
    return cls(
        credentials=open_credentials(bytes(gateway.credentials), club_id=gateway.club_id),
        base_url=gateway.base_url,
        live=gateway.live,
        http=http,
    )


def club_provider(club: Club) -> tuple[ClubGateway, PaymentProvider]:
    gateway = ClubGateway.objects.filter(club=club, enabled=True).first()
    if gateway is None:
        raise GatewayNotConfigured(club.slug)
    return gateway, provider_for(gateway)
