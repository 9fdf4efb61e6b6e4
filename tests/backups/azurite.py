"""Creating an Azure Blob container on azurite (pgBackRest expects it to exist)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import ssl
from email.utils import formatdate

# azurite's documented development account; not a secret.
ACCOUNT = "devstoreaccount1"
ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/"  # pragma: allowlist secret
    "K1SZFPTOtr/KBHBeksoGMGw=="  # pragma: allowlist secret
)


def create_container(port: int, container: str, ca_file: str) -> int:
    """PUT the container with Shared Key authorization; returns the HTTP status."""
    path = f"/{ACCOUNT}/{container}"
    headers = {"x-ms-date": formatdate(usegmt=True), "x-ms-version": "2021-10-04"}
    canonical_headers = "".join(f"{k}:{v}\n" for k, v in sorted(headers.items()))
    to_sign = "PUT\n" + "\n" * 11 + canonical_headers + f"/{ACCOUNT}{path}\nrestype:container"
    signature = hmac.new(base64.b64decode(ACCOUNT_KEY), to_sign.encode(), hashlib.sha256)
    headers["Authorization"] = (
        f"SharedKey {ACCOUNT}:{base64.b64encode(signature.digest()).decode()}"
    )
    headers["Content-Length"] = "0"
    connection = http.client.HTTPSConnection(
        "localhost", port, timeout=10, context=ssl.create_default_context(cafile=ca_file)
    )
    try:
        connection.request("PUT", f"{path}?restype=container", headers=headers)
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    if response.status not in (201, 409):
        raise OSError(f"azurite refused to create the container: HTTP {response.status}")
    return response.status
