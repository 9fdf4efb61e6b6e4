"""sqlmap (PyPI) against a running ``fortresa run``: nothing injectable, alerts raised.

Limits, to stay within a few minutes: the GET run tests ``court`` and the User-Agent
of the booking page as a signed-in member (four threads); the POST run tests the
sign-in form's ``username`` (one thread: sqlmap refuses threads with ``--csrf-token``;
``password`` is never inspected by design). Both run at
``--level 3 --risk 2`` with the boolean, error and UNION techniques: time-based and
stacked tests take over ten minutes per parameter here, and their payloads are covered by
the corpus tests. The session and CSRF cookies are left out (changing them only signs
the client out).
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import re
import sqlite3
import ssl
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.runtime.launcher import RunningFortresa, start_fortresa

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("sqlmap")]
SQLMAP = Path(sys.executable).with_name("sqlmap")
PASSWORD = "sqlmap demo password 2026"  # pragma: allowlist secret
NOT_INJECTABLE = "all tested parameters do not appear to be injectable"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningFortresa]:
    running = start_fortresa(tmp_path_factory.mktemp("sqlmap") / "var", password=PASSWORD)
    try:
        yield running
    finally:
        running.stop()


def _signed_in_cookies(app: RunningFortresa) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=str(app.ca_file))),
        urllib.request.HTTPCookieProcessor(jar),
    )
    login = f"{app.base_url}/accounts/login/"
    opener.open(login, timeout=10).read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    form = urllib.parse.urlencode(
        {
            "username": "member@demo.test",
            "password": PASSWORD,
            "csrfmiddlewaretoken": cookies["__Host-csrftoken"],
        }
    ).encode()
    request = urllib.request.Request(login, data=form, headers={"Origin": app.base_url})  # noqa: S310
    opener.open(request, timeout=10).read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    assert "__Host-sessionid" in cookies
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def _sqlmap(app: RunningFortresa, output: Path, *args: str) -> str:
    result = subprocess.run(
        [
            str(SQLMAP),
            "--batch",
            "--level",
            "3",
            "--risk",
            "2",
            "--technique",
            "BEU",
            "--disable-coloring",
            "--flush-session",
            "--output-dir",
            str(output),
            "--headers",
            f"Origin: {app.base_url}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return result.stdout + result.stderr


def _alert_kinds(app: RunningFortresa) -> dict[str, int]:
    with sqlite3.connect(app.var_dir / "fortresa.sqlite3") as db:
        rows = db.execute("SELECT kind, SUM(count) FROM detection_alert GROUP BY kind").fetchall()
    return {kind: int(total) for kind, total in rows}


def test_sqlmap_finds_nothing_injectable_on_booking_page_and_raises_alerts(
    app: RunningFortresa, tmp_path: Path
) -> None:
    start = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat() + "T10:00"
    url = f"{app.base_url}/c/demo/book/?court=1&start={start}"
    output = _sqlmap(
        app,
        tmp_path,
        "-u",
        url,
        "--cookie",
        _signed_in_cookies(app),
        "-p",
        "court,user-agent",
        "--threads",
        "4",
    )
    assert NOT_INJECTABLE in output, output[-3000:]
    assert not re.search(r"identified the following injection point|is vulnerable", output)
    assert _alert_kinds(app).get("sql_injection", 0) > 10


def test_sqlmap_finds_nothing_injectable_in_sign_in_form_and_raises_alerts(
    app: RunningFortresa, tmp_path: Path
) -> None:
    before = _alert_kinds(app).get("sql_injection", 0)
    output = _sqlmap(
        app,
        tmp_path,
        "-u",
        f"{app.base_url}/accounts/login/",
        "--data",
        "username=member%40demo.test&password=x&csrfmiddlewaretoken=x",
        "--csrf-token",
        "csrfmiddlewaretoken",
        "-p",
        "username",
    )
    assert NOT_INJECTABLE in output, output[-3000:]
    assert not re.search(r"identified the following injection point|is vulnerable", output)
    assert _alert_kinds(app).get("sql_injection", 0) > before
