"""Gateway origins for the Content Security Policy, importable from settings.py.

``form-action`` must allow the gateway a member is sent to: Paybox's page receives a
form post, and PayPal's and Stripe's pages are reached by a redirect answering our own
form post (browsers apply form-action to those redirects too).
"""

from __future__ import annotations

# Kept in step with each provider's ``sandbox_origins``/``live_origins`` (a test checks).
GATEWAY_ORIGINS: dict[str, dict[str, tuple[str, ...]]] = {
    "paypal": {
        "sandbox": ("https://www.sandbox.paypal.com",),
        "live": ("https://www.paypal.com",),
    },
    "paybox": {
        "sandbox": ("https://preprod-tpeweb.paybox.com",),
        "live": ("https://tpeweb.paybox.com", "https://tpeweb1.paybox.com"),
    },
    "stripe": {
        "sandbox": ("https://checkout.stripe.com",),
        "live": ("https://checkout.stripe.com",),
    },
}


def gateway_origins(providers: list[str], *, live: bool) -> list[str]:
    """The origins of ``providers`` (identifiers), sandbox or live; unknown ones raise."""
    mode = "live" if live else "sandbox"
    origins: list[str] = []
    for provider in providers:
        for origin in GATEWAY_ORIGINS[provider][mode]:
            if origin not in origins:
                origins.append(origin)
    return origins
