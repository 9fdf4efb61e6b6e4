"""The demo club's gateway: the PayPal simulator under ``/simulator/`` (never production)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from fortresa.clubs.models import Club
from fortresa.payments.models import ClubGateway
from fortresa.payments.services.gateways import configure_gateway
from fortresa.payments.simulators.server import provision
from fortresa.payments.simulators.views import demo_simulators

DEMO_PROVIDER = "paypal"


def enable_demo_gateway(club: Club) -> ClubGateway:
    """Open a simulated PayPal merchant and make it ``club``'s gateway.

    Called on every seeding: a fresh simulated account
    is opened each time the demo is seeded.
    """
    if settings.PROFILE == "production":
        raise RuntimeError("the payment simulators never run in production")
    site = settings.FORTRESA_SITE_URL.rstrip("/")
    notify_url = site + reverse("payments:notify", args=[DEMO_PROVIDER, club.slug])
    credentials = provision(demo_simulators().store, DEMO_PROVIDER, notify_url=notify_url)
    return configure_gateway(
        actor=None,
        club=club,
        provider=DEMO_PROVIDER,
        credentials=credentials,
        base_url=f"{site}/simulator/{DEMO_PROVIDER}",
    )
