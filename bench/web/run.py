"""Web bench: the booking path over HTTPS with the whole security stack, against a ceiling.

    .venv/bin/python -m bench.web.run [--seconds 6] [--web-workers 2]

Needs PostgreSQL on 127.0.0.1:5432 (it creates ``fortresa_bench_web``), Redis on 6379
(database 14) and wrk (``apt-get install wrk``). Serves the real ``fortresa serve``
(granian, TLS 1.2/1.3) four times in one run: a bare view with no middleware at all, the
same view with only the middleware that is not a security layer (sessions, locale and
the user's language, common, auth, messages, static files: the ceiling the security
layers are measured against), and with the full stack (the entry point's scrub of the
process environment, security headers, CSP nonces, CSRF, clickjacking, detection sensor,
NUL bytes, session lifetime, staff gate, the tenant context); then the site's pages, and prints
requests per second and p50/p95/p99 for each page beside its ratio to the bare view, and
the peak resident memory of each web process. It prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json

import requests
from bench.web.load import DONE, Figures, get_script, lua_string, require_wrk, run_wrk
from bench.web.server import Deployment, free_port, prepare, seed, serve

BOOKING_MEMBERS = 16
# Alternating rounds of the three bare-view rows (the median round of each is kept). The
# ceiling and full-stack rounds run back to back, yet their ratio varies from round to
# round by up to ten points on a shared machine: five rounds steady the median.
BARE_ROUNDS = 5
# Rounds of each page row and of the week-grid comparison.
PAGE_ROUNDS = 3
# Load before each measured GET row, not counted.
WARM_UP_SECONDS = 2


def _median(figures: list[Figures], by: str = "rps") -> Figures:
    """The middle round, by throughput (or by ``by``, another field of the figures)."""
    return sorted(figures, key=lambda row: float(getattr(row, by)))[len(figures) // 2]


def booking_script(deployment: Deployment, data: dict[str, object], *, threads: int) -> str:
    """POSTs of the booking form, each for another free slot, rotating over members."""
    members = list(data["members"])  # type: ignore[call-overload]
    today = dt.datetime.now(dt.UTC).date()
    days = [(today + dt.timedelta(days=n)).isoformat() for n in range(9, 60)]
    rows = ",\n".join(
        "{{cookie={}, token={}}}".format(
            lua_string(
                f"{data['session_cookie']}={m['session']}; {data['csrf_cookie']}={m['csrf']}"
            ),
            lua_string(m["csrf"]),
        )
        for m in members[:BOOKING_MEMBERS]
    )
    path = f"/c/{data['club']}/book/"
    return (
        f"""
local members = {{ {rows} }}
local courts = {{ {", ".join(str(c) for c in data["courts"])} }}  -- type: ignore
local days = {{ {", ".join(lua_string(d) for d in days)} }}
local origin = {lua_string(deployment.base)}
local path = {lua_string(path)}
local counter = 0
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
function request()
  local i = counter * {threads} + tid
  counter = counter + 1
  local court = courts[(i % #courts) + 1]
  local slot = math.floor(i / #courts)
  local day = days[(math.floor(slot / 17) % #days) + 1]
  local hour = 6 + slot % 17
  local member = members[(i % #members) + 1]
  local body = "csrfmiddlewaretoken=" .. member.token .. "&court=" .. court ..
    "&start=" .. day .. "T" .. string.format("%02d", hour) .. "%3A00%2B00%3A00&duration=60"
  return wrk.format("POST", path, {{
    ["Cookie"] = member.cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Origin"] = origin,
    ["Referer"] = origin .. path,
  }}, body)
end
"""
        + DONE
    )


def require_page(deployment: Deployment, path: str, cookie: str) -> None:
    """Stop unless ``path`` answers this member 200 (not a redirect to sign in)."""
    answer = requests.get(
        deployment.base + path, headers={"Cookie": cookie}, verify=str(deployment.ca),
        allow_redirects=False, timeout=30,
    )  # fmt: skip
    if answer.status_code != 200:
        raise SystemExit(
            f"{deployment.base}{path} answered {answer.status_code}, not 200: nothing to measure"
        )


def member_cookie(data: dict[str, object]) -> str:
    first = list(data["members"])[0]  # type: ignore[call-overload]
    return f"{data['session_cookie']}={first['session']}; {data['csrf_cookie']}={first['csrf']}"


def print_table(rows: list[Figures], baseline: Figures) -> None:
    print(f"{'':38} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"
          f" {'req/s vs bare':>14} {'p50 vs bare':>12}")  # fmt: skip
    for row in rows:
        print(
            f"{row.name:38} {row.rps:8.0f} {row.p50_ms:8.2f} {row.p95_ms:8.2f} {row.p99_ms:8.2f}"
            f" {row.errors:7d} {row.rps / baseline.rps:14.2f} {row.p50_ms / baseline.p50_ms:12.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=6, help="load per scenario")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    options = parser.parse_args()
    require_wrk()
    seconds, connections = options.seconds, options.connections
    print(f"preparing: database, migrations, static files, {options.web_workers} web processes")
    deployment = prepare("web", web_workers=options.web_workers)
    data = seed(deployment, BOOKING_MEMBERS)
    cookie = member_cookie(data)
    base = deployment.base
    rows: list[Figures] = []
    memory: dict[str, list[float]] = {}

    # The bare view three ways, each server up at once and the rows measured in
    # alternating rounds, so a change in the machine's load (other processes share its
    # cores) falls on all three alike; each row keeps its median round.
    variants = [
        ("bare view, no middleware", "no middleware", {"FORTRESA_BENCH_BARE": "1"}),
        ("bare view, non-security middleware", "non-security middleware", {"FORTRESA_BENCH_BARE": "django"}),
        ("bare view, full stack", "full stack", {}),
    ]  # fmt: skip
    servers = []
    try:
        for _name, _label, extra in variants:
            copy = dataclasses.replace(deployment, port=free_port())
            servers.append((copy, serve(copy, **extra)))
        rounds: dict[str, list[Figures]] = {name: [] for name, _label, _extra in variants}
        for copy, _server in servers:
            run_wrk("warm-up", copy.base + "/bench/bare/", get_script(), seconds=WARM_UP_SECONDS,
                    connections=connections)  # fmt: skip
        for _round in range(BARE_ROUNDS):
            for (name, _label, _extra), (copy, _server) in zip(variants, servers, strict=True):
                rounds[name].append(
                    run_wrk(
                        name,
                        copy.base + "/bench/bare/",
                        get_script(),
                        seconds=max(2, seconds // 2),
                        connections=connections,
                    )  # fmt: skip
                )
        for name, _label, _extra in variants[:2]:
            rows.append(_median(rounds[name]))
        full_bare = _median(rounds[variants[2][0]])
        # Each round's ceiling and full stack ran one after the other: their ratio, per round.
        round_costs = [
            1 - full.rps / ceiling.rps
            for ceiling, full in zip(rounds[variants[1][0]], rounds[variants[2][0]], strict=True)
        ]
        # The same comparison on a real page: a member's week grid, which queries.
        week_path = f"/c/{data['club']}/week/"
        week_servers = {
            "week grid, non-security middleware": servers[1][0],
            "week grid, full stack": servers[2][0],
        }
        week_rounds: dict[str, list[Figures]] = {name: [] for name in week_servers}
        for copy in week_servers.values():
            require_page(copy, week_path, cookie)
            run_wrk("warm-up", copy.base + week_path, get_script(cookie),
                    seconds=WARM_UP_SECONDS, connections=connections)  # fmt: skip
        for _round in range(PAGE_ROUNDS):
            for name, copy in week_servers.items():
                week_rounds[name].append(
                    run_wrk(name, copy.base + week_path, get_script(cookie),
                            seconds=max(2, seconds // 2), connections=connections)
                )  # fmt: skip
        page_rows = [_median(figures) for figures in week_rounds.values()]
        for (_name, label, _extra), (_copy, server) in zip(variants[:2], servers[:2], strict=True):
            memory[label] = server.peak_rss_mb()
    finally:
        for _copy, server in servers:
            server.stop()

    server = serve(deployment)
    try:
        rows.append(full_bare)
        scenarios = [
            ("login page", "/accounts/login/", get_script()),
            ("week grid, 20 courts x 7 days", f"/c/{data['club']}/week/", get_script(cookie)),
            ("status page", "/status/", get_script()),
        ]
        week_p95s: list[float] = []
        for name, path, script in scenarios:
            # Steady state, as for the bare-view rows: a fresh server's first requests
            # compile templates and fill the per-process caches.
            run_wrk(
                "warm-up", base + path, script, seconds=WARM_UP_SECONDS, connections=connections
            )
            # wrk keeps its connections open and the kernel hands them to the web
            # processes unevenly (6, 7 or 8 of 8 to one of two has been seen), and the
            # busier process sets the tail: each round opens a new set, and the row keeps
            # the round with the median p95.
            page_rounds = [
                run_wrk(name, base + path, script, seconds=max(2, seconds // 2),
                        connections=connections)
                for _round in range(PAGE_ROUNDS)
            ]  # fmt: skip
            rows.append(_median(page_rounds, by="p95_ms"))
            if path.endswith("/week/"):
                week_p95s = [figures.p95_ms for figures in page_rounds]
        before = int(deployment.sql("SELECT count(*) FROM bookings_booking"))
        booking = run_wrk(
            "booking creation (POST)", base + f"/c/{data['club']}/book/",
            booking_script(deployment, data, threads=2), seconds=seconds, connections=connections,
        )  # fmt: skip
        rows.append(booking)
        created = int(deployment.sql("SELECT count(*) FROM bookings_booking")) - before
        memory["full stack"] = server.peak_rss_mb()
    finally:
        server.stop()

    print()
    print(f"HTTPS on loopback, wrk -t2 -c{connections}, {options.web_workers} web processes, "
          f"PostgreSQL, Redis; bare-view rows: median of {BARE_ROUNDS} alternating rounds of "
          f"{max(2, seconds // 2)}s; page rows: the round with the median p95 of "
          f"{PAGE_ROUNDS} rounds of {max(2, seconds // 2)}s; booking creation: {seconds}s")  # fmt: skip
    print_table(rows, rows[0])
    ceiling, full = rows[1], rows[2]
    print()
    print(f"security layers (full stack vs the bare view with the security middleware "
          f"switched off): {1 - full.rps / ceiling.rps:.0%} fewer requests per second "
          f"(p50 {full.p50_ms - ceiling.p50_ms:+.2f} ms per request; target: at most 15%)")  # fmt: skip
    print("  the same, round by round (each pair measured back to back): "
          + ", ".join(f"{cost:.0%}" for cost in round_costs))  # fmt: skip
    print(f"for reference, against no middleware at all: the non-security middleware costs "
          f"{1 - ceiling.rps / rows[0].rps:.0%}, the full stack {1 - full.rps / rows[0].rps:.0%}")  # fmt: skip
    page_ceiling, page_full = page_rows
    print()
    print("security layers on a real page (a member's week grid; both servers up at once, "
          f"median of {PAGE_ROUNDS} alternating rounds of {max(2, seconds // 2)}s):")  # fmt: skip
    print_table(page_rows, rows[0])
    print(f"  {1 - page_full.rps / page_ceiling.rps:.0%} fewer requests per second "
          f"(p50 {page_full.p50_ms - page_ceiling.p50_ms:+.2f} ms per request under this load)")  # fmt: skip
    week = next(r for r in rows if r.name.startswith("week grid"))
    rounds_shown = ", ".join(f"{p95:.1f}" for p95 in week_p95s)
    print(f"week grid p95: {week.p95_ms:.1f} ms, the median of its rounds' ({rounds_shown} ms;"
          f" target: under 50 ms)")  # fmt: skip
    print(f"booking creation: {created} bookings made by about {booking.requests} POSTs "
          f"(each for another slot; the rest answered the form with the rule that refused it)")  # fmt: skip
    for label, peaks in memory.items():
        shown = ", ".join(f"{peak:.0f} MB" for peak in peaks)
        print(f"peak resident memory per web process ({label}): {shown} (target: under 250 MB)")
    print(json.dumps({"rows": [row.__dict__ for row in rows + page_rows], "memory_mb": memory}))


if __name__ == "__main__":
    main()
