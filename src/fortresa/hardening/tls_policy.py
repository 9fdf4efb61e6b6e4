"""The TLS policies Fortresa offers, as options for each server that terminates TLS.

``intermediate`` is Mozilla's intermediate profile: TLS 1.2 and 1.3, ECDHE key exchange
with AEAD ciphers only (AES-GCM, ChaCha20-Poly1305). ``modern`` is TLS 1.3 only. The
built-in server (granian, on rustls) has exactly the intermediate cipher list built in
and never compresses or renegotiates, so the policy only chooses the protocol floor;
nginx and Caddy are told the ciphers explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TlsPolicy:
    name: str
    granian_protocol_min: str
    nginx_protocols: str
    nginx_ciphers: str
    caddy_protocols: str


_INTERMEDIATE_CIPHERS = ":".join(
    [
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305",
    ]
)

TLS_POLICIES: dict[str, TlsPolicy] = {
    "intermediate": TlsPolicy(
        name="intermediate",
        granian_protocol_min="tls1.2",
        nginx_protocols="TLSv1.2 TLSv1.3",
        nginx_ciphers=_INTERMEDIATE_CIPHERS,
        caddy_protocols="tls1.2 tls1.3",
    ),
    "modern": TlsPolicy(
        name="modern",
        granian_protocol_min="tls1.3",
        nginx_protocols="TLSv1.3",
        # TLS 1.3 suites are not chosen through ssl_ciphers; nothing older is offered.
        nginx_ciphers=_INTERMEDIATE_CIPHERS,
        caddy_protocols="tls1.3 tls1.3",
    ),
}


def tls_policy(name: str) -> TlsPolicy:
    try:
        return TLS_POLICIES[name]
    except KeyError:
        raise ValueError(
            f"unknown TLS policy {name!r}; choose one of {', '.join(TLS_POLICIES)}"
        ) from None


def granian_tls_arguments(name: str) -> list[str]:
    """Arguments for granian's command line, to replace a fixed ``--ssl-protocol-min``."""
    return ["--ssl-protocol-min", tls_policy(name).granian_protocol_min]


# On SIGHUP granian starts a new worker (which reads the certificate files again) and
# stops the old one after this many seconds. Its default (3.5 s) is shorter than a worker
# takes to import Django on a busy 2-core machine, which leaves a moment with nobody
# accepting connections; 10 s keeps the old worker serving until the new one listens.
GRANIAN_RELOAD_ARGUMENTS = ["--respawn-interval", "10"]
