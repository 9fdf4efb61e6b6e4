"""The security layers' cost on the bare view, counted in CPU instructions (no noise).

    .venv/bin/python -m bench.web.instructions [--requests 1000]

``bench.web.run`` measures requests per second over HTTPS, and on a shared machine the
ratio of two servers moves by several points from one round to the next. This counts
what the Python process executes instead, under valgrind's callgrind (the same count
for the same code, whatever else the machine is doing): Django's WSGI handler is called
in-process with the anonymous bare-view request, for the ceiling (the middleware that is
not a security layer) and for the full stack, each in its own process, and the
instructions of ``--requests`` more requests are divided by their number. TLS and
granian are left out (they cost both rows the same), so the share is of the Python
work. Needs valgrind (``apt-get install valgrind``) and the database ``bench.web.run``
creates (``fortresa_bench_web``; run that once first). It prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.web.server import ROOT, Deployment, bench_var_dir

WARM_UP = 300
VARIANTS = {"ceiling (non-security middleware)": "django", "full stack": ""}


def _environ(base: dict[str, str]) -> dict[str, Any]:
    """What granian hands the application for ``GET /bench/bare/`` from wrk."""
    return base | {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/bench/bare/",
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "8443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_SOFTWARE": "Granian",
        "GATEWAY_INTERFACE": "CGI/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "localhost:8443",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def serve_requests(count: int) -> None:
    """In the measured process: the warm-up, then ``count`` requests."""
    import django
    from django.conf import settings
    from django.utils.module_loading import import_string

    django.setup()
    application = import_string(settings.WSGI_APPLICATION)
    statuses: list[str] = []
    base = dict(os.environ)

    def serve() -> None:
        body = application(
            _environ(base), lambda status, headers, exc_info=None: statuses.append(status)
        )
        b"".join(body)
        body.close()

    for _ in range(WARM_UP):
        serve()
    # What Django and the site built at start-up is not garbage: a full collection of it
    # in the middle of the counted requests would land on one row by chance.
    gc.collect()
    gc.freeze()
    for _ in range(count):
        serve()
    if not all(status.startswith("200") for status in statuses):
        raise SystemExit(f"the bare view answered {sorted(set(statuses))}, not 200")


def count_instructions(bare: str, requests: int) -> int:
    # The database and var dir ``bench.web.run`` prepared; no server is started.
    deployment = Deployment("web", bench_var_dir("web"), "fortresa_bench_web", 8443, 1)
    # The same dict layouts in every run.
    env = deployment.env(PYTHONHASHSEED="0", FORTRESA_BENCH_BARE=bare)
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         sys.executable, "-m", "bench.web.instructions", "--serve", str(requests)],
        env=env, cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode or found is None:
        raise SystemExit(f"valgrind run failed:\n{done.stdout}{done.stderr[-3000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="counted requests per row")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve is not None:
        serve_requests(options.serve)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: apt-get install valgrind")
    print(f"counting instructions under callgrind: {options.requests} requests per row after"
          f" {WARM_UP}, each row in its own process (a few minutes)")  # fmt: skip
    # Each row twice: with no counted request and with them; the difference is theirs alone.
    jobs = [(name, bare, n) for name, bare in VARIANTS.items() for n in (0, options.requests)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = pool.map(lambda job: count_instructions(job[1], job[2]), jobs)
        totals = dict(zip(jobs, counts, strict=True))
    per_request = {
        name: (totals[(name, bare, options.requests)] - totals[(name, bare, 0)]) / options.requests
        for name, bare in VARIANTS.items()
    }
    for name, count in per_request.items():
        print(f"{name:38} {count:12,.0f} instructions per request")
    ceiling, full = per_request.values()
    print(
        f"security layers: {full - ceiling:,.0f} instructions per request,"
        f" {100 * (full - ceiling) / full:.1f}% of the full stack's (target: at most 15%)"
    )


if __name__ == "__main__":
    main()
