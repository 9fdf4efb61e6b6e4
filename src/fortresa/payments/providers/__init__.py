"""Payment providers, registered by identifier."""

from __future__ import annotations

from fortresa.payments.providers.base import PaymentProvider
from fortresa.payments.providers.paybox import PayboxProvider
from fortresa.payments.providers.paypal import PayPalProvider
from fortresa.payments.providers.stripe import StripeProvider

PROVIDERS: dict[str, type[PaymentProvider]] = {
    provider.identifier: provider for provider in (PayPalProvider, PayboxProvider, StripeProvider)
}


def provider_class(identifier: str) -> type[PaymentProvider]:
    """The provider registered as ``identifier``; KeyError if there is none."""
    return PROVIDERS[identifier]


__all__ = ["PROVIDERS", "PaymentProvider", "provider_class"]
