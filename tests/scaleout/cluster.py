"""Two web processes and two workers on one PostgreSQL and one Redis, as real processes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
GRANIAN = Path(sys.executable).with_name("granian")
FORTRESA = Path(sys.executable).with_name("fortresa")
# A database number of its own, so this suite never touches other tests' keys.
REDIS_URL = "redis://127.0.0.1:6379/13"
CSP_BUDGET = 6


def base_env(database_url: str, var_dir: Path, secret_key: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FORTRESA_", "DJANGO_", "REDIS_URL", "DATABASE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="fortresa.settings",
        FORTRESA_PROFILE="test",
        FORTRESA_VAR_DIR=str(var_dir),
        FORTRESA_SECRET_KEY=secret_key,
        FORTRESA_TASKS_EAGER="0",
        FORTRESA_CSP_REPORTS_PER_MINUTE=str(CSP_BUDGET),
        DATABASE_URL=database_url,
        REDIS_URL=REDIS_URL,
        PYTHONPATH=f"{ROOT / 'src'}:{ROOT}",
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass
class Process:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, signum: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signum)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def start(name: str, argv: list[str], env: dict[str, str], log: Path) -> Process:
    with log.open("wb") as output:
        process = subprocess.Popen(
            argv, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Process(name, process, log)


@dataclass
class WebProcess:
    process: Process
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.3)
        raise AssertionError(f"{self.process.name} did not start:\n{self.process.text()}")


def start_web(name: str, env: dict[str, str], log: Path) -> WebProcess:
    port = free_port()
    argv = [
        str(GRANIAN), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
        "--workers", "1", "--blocking-threads", "1", "fortresa.wsgi:application",
    ]  # fmt: skip
    return WebProcess(start(name, argv, env, log), port)


def start_worker(name: str, env: dict[str, str], log: Path) -> Process:
    worker_env = {**env, "DJANGO_SETTINGS_MODULE": "tests.scaleout.worker_settings"}
    return start(name, [str(FORTRESA), "worker", "--loglevel", "INFO"], worker_env, log)


@dataclass
class Member:
    """A browser of one member: its cookies, sent by hand because they are ``__Host-``
    (Secure) cookies, which cookie jars keep away from the plain-HTTP test servers."""

    email: str
    cookies: dict[str, str] = field(default_factory=dict)

    def _remember(self, response: requests.Response) -> None:
        for header in response.raw.headers.getlist("Set-Cookie"):
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def _headers(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def get(self, url: str) -> requests.Response:
        response = requests.get(url, headers=self._headers(), allow_redirects=False, timeout=30)
        self._remember(response)
        return response

    def post(self, url: str, data: dict[str, str]) -> requests.Response:
        response = requests.post(
            url, data=data, headers=self._headers(), allow_redirects=False, timeout=30
        )
        self._remember(response)
        return response

    def form_token(self, url: str) -> str:
        page = self.get(url)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token is not None, f"no form at {url}: {page.status_code}"
        return token.group(1)

    def sign_in(self, web: WebProcess, password: str) -> int:
        token = self.form_token(web.base + "/accounts/login/")
        answer = self.post(
            web.base + "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": self.email, "password": password},
        )
        return answer.status_code
