"""`fortresa run` as a newcomer starts it: a real subprocess, real TLS, real signals.

One instance serves every test of this module; the last test stops it.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import re
import socket
import ssl
import stat
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.runtime.launcher import RunningFortresa, alive, group_alive, start_fortresa

pytestmark = [pytest.mark.xdist_group("fortresa-run"), pytest.mark.slow]

PASSWORD = "runtime demo password 7"  # pragma: allowlist secret


@pytest.fixture(scope="module")
def fortresa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningFortresa]:
    running = start_fortresa(tmp_path_factory.mktemp("run") / "var", password=PASSWORD)
    yield running
    running.stop()


def _tls_context(ca_file: Path, version: ssl.TLSVersion) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cafile=ca_file)
    context.minimum_version = context.maximum_version = version
    return context


def _handshake(fortresa: RunningFortresa, context: ssl.SSLContext) -> str | None:
    with (
        socket.create_connection(("127.0.0.1", fortresa.https_port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        return tls.version()


def _https_opener(fortresa: RunningFortresa) -> urllib.request.OpenerDirector:
    context = ssl.create_default_context(cafile=str(fortresa.ca_file))
    return urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=context),
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
    )


def test_tls13_handshake_verifies_against_local_ca(fortresa: RunningFortresa) -> None:
    context = _tls_context(fortresa.ca_file, ssl.TLSVersion.TLSv1_3)

    assert _handshake(fortresa, context) == "TLSv1.3"


def test_tls12_handshake_verifies_against_local_ca(fortresa: RunningFortresa) -> None:
    context = _tls_context(fortresa.ca_file, ssl.TLSVersion.TLSv1_2)

    assert _handshake(fortresa, context) == "TLSv1.2"


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_tls11_client_is_refused(fortresa: RunningFortresa) -> None:
    context = _tls_context(fortresa.ca_file, ssl.TLSVersion.TLSv1_1)
    # Let our own OpenSSL offer TLS 1.1, so that the refusal comes from the server.
    context.set_ciphers("DEFAULT:@SECLEVEL=0")

    # An "alert" is the server's answer; a local refusal would say "no protocols".
    with pytest.raises(ssl.SSLError, match=r"ALERT_(HANDSHAKE_FAILURE|PROTOCOL_VERSION)"):
        _handshake(fortresa, context)


def test_http_port_redirects_to_https_with_same_path_and_query(
    fortresa: RunningFortresa,
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", fortresa.http_port, timeout=5)
    connection.request(
        "GET",
        "/accounts/login/?next=/c/demo/&x=a%20b",
        headers={"Host": f"localhost:{fortresa.http_port}"},
    )
    response = connection.getresponse()

    assert response.status == 301
    assert response.getheader("Location") == (
        f"https://localhost:{fortresa.https_port}/accounts/login/?next=/c/demo/&x=a%20b"
    )
    assert b"<" not in response.read()


def test_http_port_ignores_foreign_host_header(fortresa: RunningFortresa) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", fortresa.http_port, timeout=5)
    connection.request("GET", "/", headers={"Host": "evil.example"})
    response = connection.getresponse()

    assert response.status == 301
    assert response.getheader("Location") == f"https://localhost:{fortresa.https_port}/"


def test_login_page_is_served_over_https(fortresa: RunningFortresa) -> None:
    response = _https_opener(fortresa).open(f"{fortresa.base_url}/accounts/login/", timeout=10)

    assert response.status == 200
    assert "Strict-Transport-Security" in response.headers


def test_demo_member_signs_in_over_https(fortresa: RunningFortresa) -> None:
    opener = _https_opener(fortresa)
    login_url = f"{fortresa.base_url}/accounts/login/"
    form = opener.open(login_url, timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token is not None
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "username": "member@demo.test",
            "password": PASSWORD,
        }
    ).encode()

    request = urllib.request.Request(  # noqa: S310 - https URL built above
        login_url, data=body, headers={"Origin": fortresa.base_url, "Referer": login_url}
    )
    response = opener.open(request, timeout=10)

    assert urllib.parse.urlsplit(response.geturl()).path == "/"
    page = response.read().decode()
    assert "Fortresa Demo Tennis Club" in page
    assert 'action="/accounts/logout/"' in page


def test_keys_and_secrets_are_private(fortresa: RunningFortresa) -> None:
    private = [
        fortresa.var_dir / "tls" / "ca-key.pem",
        fortresa.var_dir / "tls" / "server-key.pem",
        *sorted((fortresa.var_dir / "secrets").iterdir()),
    ]

    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in private}

    assert len(modes) >= 3
    assert set(modes.values()) == {0o600}, modes


def _listening_addresses(port: int) -> set[str]:
    addresses = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            local, _remote, state = line.split()[1:4]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:
                if width == 8:
                    addresses.add(socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1]))
                else:
                    addresses.add(f"ipv6:{address}")
    return addresses


def test_listeners_are_bound_to_loopback_only(fortresa: RunningFortresa) -> None:
    assert _listening_addresses(fortresa.https_port) == {"127.0.0.1"}
    assert _listening_addresses(fortresa.http_port) == {"127.0.0.1"}


def test_detection_watcher_runs_beside_the_servers(fortresa: RunningFortresa) -> None:
    command_lines = [
        Path(f"/proc/{info.pid}/cmdline").read_bytes().split(b"\0")
        for info in fortresa.descendants()
    ]
    assert any(b"detect" in argv and b"watch" in argv for argv in command_lines)


def test_sigterm_stops_every_process_and_exits_zero(fortresa: RunningFortresa) -> None:
    started = fortresa.descendants()
    # The server, the redirect, the worker and the detection watcher, each in its group.
    assert len({info.pgid for info in started}) >= 4

    code = fortresa.stop()

    assert code == 0, fortresa.text()
    assert [info for info in started if alive(info)] == []
    assert [info.pgid for info in started if group_alive(info.pgid)] == []
