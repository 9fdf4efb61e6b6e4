"""Start Debian's nginx with ``deploy/nginx/fortresa.conf.template`` on loopback ports."""

from __future__ import annotations

import contextlib
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.external.graders import REPO

TEMPLATE = REPO / "deploy" / "nginx" / "fortresa.conf.template"
_PLACEHOLDER = re.compile(r"\$\{(FORTRESA_[A-Z_]+)\}")


def render(template: str, values: Mapping[str, str]) -> str:
    """What ``envsubst '$FORTRESA_...'`` does: replace only our ``${FORTRESA_*}`` names."""
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


MAIN_CONF = """\
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/fortresa.conf;
}}
"""


@dataclass
class RunningNginx:
    process: subprocess.Popen[bytes]
    directory: Path

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def start_nginx(
    directory: Path,
    *,
    http_port: int,
    https_port: int,
    cert: Path,
    key: Path,
    upstream_port: int,
    upstream_ca: Path,
) -> RunningNginx:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        pytest.fail("nginx is missing: run `make system-deps` (Debian's nginx-light)")
    values = {
        "FORTRESA_SERVER_NAME": "localhost",
        "FORTRESA_HTTP_LISTEN": f"127.0.0.1:{http_port}",
        "FORTRESA_HTTPS_LISTEN": f"127.0.0.1:{https_port}",
        "FORTRESA_HTTPS_PORT_SUFFIX": f":{https_port}",
        "FORTRESA_TLS_CERT": str(cert),
        "FORTRESA_TLS_KEY": str(key),
        "FORTRESA_UPSTREAM": f"https://127.0.0.1:{upstream_port}",
        "FORTRESA_UPSTREAM_CA": str(upstream_ca),
    }
    (directory / "fortresa.conf").write_text(render(TEMPLATE.read_text(), values))
    (directory / "nginx.conf").write_text(MAIN_CONF.format(dir=directory))
    command = [binary, "-p", str(directory), "-c", str(directory / "nginx.conf")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    if checked.returncode != 0:
        pytest.fail(f"nginx rejects the configuration:\n{checked.stderr}")
    process = subprocess.Popen(
        [*command, "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    running = RunningNginx(process, directory)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"nginx exited: {(directory / 'error.log').read_text()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", https_port), 1):
            return running
        time.sleep(0.1)
    running.stop()
    pytest.fail("nginx did not listen within 15 s")
