"""Two real server processes against one database (and one Redis) share the lockout
counters: failures spread over both lock the account on both."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from fortresa.accounts.guard import LoginGuard, account_key
from fortresa.accounts.throttle import DatabaseThrottleStore, RedisThrottleStore
from tests.accounts.conftest import REDIS_URL
from tests.factories import PASSWORD, make_user
from tests.ports import free_port as _free_port

pytestmark = pytest.mark.slow
GRANIAN = Path(sys.executable).with_name("granian")


class Server:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [str(GRANIAN), "--interface", "wsgi", "--host", "127.0.0.1", "--port",
             str(self.port), "--workers", "1", "fortresa.wsgi:application"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"server on {self.port} did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

    def sign_in(self, email: str, password: str) -> int:
        """One attempt through the real login form; returns the status (302 = signed in)."""
        with urllib.request.urlopen(self.base + "/accounts/login/", timeout=10) as page:  # noqa: S310
            html = page.read().decode()
            cookies = [c.split(";")[0] for c in page.headers.get_all("Set-Cookie") or []]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token is not None
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), "username": email, "password": password}
        ).encode()
        request = urllib.request.Request(  # noqa: S310
            self.base + "/accounts/login/", data=body, headers={"Cookie": "; ".join(cookies)}
        )
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=10) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as redirect:
            return int(redirect.code)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@pytest.fixture(params=["database", "redis"])
def servers(request, transactional_db, tmp_path) -> Iterator[tuple[Server, Server, str]]:  # type: ignore[no-untyped-def]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FORTRESA_", "DJANGO_", "REDIS_URL", "DATABASE_URL"))
    }
    db = connection.settings_dict
    env.update(
        DJANGO_SETTINGS_MODULE="fortresa.settings",
        FORTRESA_PROFILE="test",
        FORTRESA_VAR_DIR=str(tmp_path / "var"),
        FORTRESA_SECRET_KEY=settings.SECRET_KEY,
        DATABASE_URL=f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"),
    )
    if request.param == "redis":
        env["REDIS_URL"] = REDIS_URL
    pair = (Server(env, tmp_path / "a.log"), Server(env, tmp_path / "b.log"))
    try:
        for server in pair:
            server.wait_ready()
        yield pair[0], pair[1], request.param
    finally:
        for server in pair:
            server.stop()


def test_failures_on_two_server_processes_add_up_to_one_lockout(servers):
    first, second, store_name = servers
    user, bystander = make_user(), make_user()
    store = RedisThrottleStore(REDIS_URL) if store_name == "redis" else DatabaseThrottleStore()
    guard = LoginGuard(store=store)
    try:
        # 302 is what a successful sign-in looks like through these servers.
        assert first.sign_in(bystander.email, PASSWORD) == 302
        statuses = [first.sign_in(user.email, "wrong password number 1") for _ in range(3)]
        statuses.append(second.sign_in(user.email, "wrong password number 2"))
        unlocked_after_four = guard.locked_until(user.email) is None
        statuses.append(second.sign_in(user.email, "wrong password number 2"))

        assert statuses == [200] * 5
        assert unlocked_after_four
        assert guard.locked_until(user.email) is not None
        assert first.sign_in(user.email, PASSWORD) == 200  # the right password, refused
        assert second.sign_in(user.email, PASSWORD) == 200
    finally:
        for email in (user.email, bystander.email):
            store.reset(account_key(email))
        if isinstance(store, RedisThrottleStore):
            windows = [f"attempts:{account_key(e)}" for e in (user.email, bystander.email)]
            for window in [*windows, "ip:127.0.0.1"]:
                store.client.delete(store._window_key(window))
