"""Against a real ``fortresa run``: a worker reads the site's own headers over HTTPS and
the page then shows them met; the JSON it serves verifies with the key on its page."""

from __future__ import annotations

import base64
import json
import re
import ssl
import time
import urllib.request
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from fortresa.trust.signing import canonical_bytes

WAIT_SECONDS = 90.0


def _get(demo_server: Any, path: str) -> str:
    context = ssl.create_default_context(cafile=str(demo_server.ca_file))
    with urllib.request.urlopen(demo_server.base_url + path, context=context, timeout=15) as r:  # noqa: S310 - https to the test's own server
        return str(r.read().decode())


def _section(envelope: dict[str, Any], slug: str) -> dict[str, Any]:
    return next(s for s in envelope["document"]["sections"] if s["slug"] == slug)


def test_running_site_reads_its_own_headers_and_signs_its_report(demo_server):
    deadline = time.monotonic() + WAIT_SECONDS
    envelope = json.loads(_get(demo_server, "/security.json"))
    while _section(envelope, "headers")["status"] == "not_configured":
        assert time.monotonic() < deadline, "no worker read the site's headers"
        time.sleep(2)
        envelope = json.loads(_get(demo_server, "/security.json"))

    headers = _section(envelope, "headers")
    assert headers["status"] == "met", headers["reasons"]
    assert "content-security-policy" in " ".join(headers["facts"])
    assert headers["facts"]["cookie:__Host-csrftoken"][:2] == ["Secure", "HttpOnly"]
    page = _get(demo_server, "/security/")
    key = re.search(r'data-public-key="([A-Za-z0-9+/=]+)"', page)
    assert key is not None
    Ed25519PublicKey.from_public_bytes(base64.b64decode(key.group(1))).verify(
        base64.b64decode(envelope["signature"]["value"]), canonical_bytes(envelope["document"])
    )
