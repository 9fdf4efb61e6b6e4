"""Booking rush: 500 members, 40 slots, the same second; then the same with a fair opening.

    .venv/bin/python -m bench.rush.run [--members 500] [--draw-seconds 20]

Needs PostgreSQL on 127.0.0.1:5432 (it creates ``fortresa_bench_rush``) and Redis on
6379 (database 15). Serves the real ``fortresa serve`` (granian, TLS) with several web
processes and one ``fortresa worker``. A club opens a new day of bookings at a fixed
time; every member has a connection open and posts the booking form then: 50 of them are
"scripts" firing at the exact opening instant, each at a different slot, the others are
people clicking 0.2 to 1.2 s later. Round 1 is first come, first served; round 2 opens
the next slots with a draw among the requests of the first seconds. Prints throughput,
latency, answers, double bookings, the scripts' share of the slots in each round and the
peak memory of each web process. It prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import random
import ssl
import statistics
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass

from bench.web.server import BIN, ROOT, Deployment, Server, prepare, seed, serve

SCRIPTS = 50
OVERLAPS = """
SELECT count(*) FROM bookings_booking a JOIN bookings_booking b
  ON a.court_id = b.court_id AND a.id < b.id AND a.status = 'active' AND b.status = 'active'
 AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
"""


@dataclass
class Answer:
    member: int
    status: int
    seconds: float
    outcome: str


def classify(status: int, body: str) -> str:
    if status == 302:
        return "booked"
    if "drawn by lot" in body or "now asks for" in body:
        return "entered in the draw"
    if "already taken" in body:
        return "told: already taken"
    if "try again in a few seconds" in body:
        return "told: draw being made"
    return f"unclear ({status})"


def rush(
    deployment: Deployment,
    data: dict[str, object],
    *,
    at: float,
    hours: tuple[int, int],
    day: dt.date,
) -> list[Answer]:
    """Every member posts the booking form at ``at`` (scripts) or a human moment later."""
    members = list(data["members"])  # type: ignore[call-overload]
    courts = list(data["courts"])  # type: ignore[call-overload]
    slots = [(court, hour) for hour in hours for court in courts]
    path = f"/c/{data['club']}/book/"
    context = ssl.create_default_context(cafile=str(deployment.ca))
    answers: list[Answer] = []
    lock = threading.Lock()
    chooser = random.Random(7)  # noqa: S311 - a benchmark's preferences, not a secret
    plans = []
    for index, member in enumerate(members):
        scripted = index < SCRIPTS
        court, hour = slots[index % len(slots)] if scripted else chooser.choice(slots)
        delay = 0.0 if scripted else chooser.uniform(0.2, 1.2)
        start = dt.datetime.combine(day, dt.time(hour), dt.UTC).isoformat(timespec="minutes")
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": member["csrf"], "court": court, "start": start, "duration": 60}
        )
        headers = {
            "Cookie": f"{data['session_cookie']}={member['session']}; {data['csrf_cookie']}={member['csrf']}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": deployment.base,
            "Referer": deployment.base + path,
        }
        plans.append((index, delay, body, headers))

    def click(index: int, delay: float, body: str, headers: dict[str, str]) -> None:
        connection = http.client.HTTPSConnection(
            "localhost", deployment.port, context=context, timeout=120
        )
        connection.connect()  # the TLS handshake before the opening, as a waiting browser
        time.sleep(max(0.0, at + delay - time.time()))
        sent = time.perf_counter()
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        elapsed = time.perf_counter() - sent
        connection.close()
        with lock:
            answers.append(Answer(index, response.status, elapsed, classify(response.status, text)))

    threads = [threading.Thread(target=click, args=plan) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def report(title: str, answers: list[Answer], span: float) -> None:
    latencies = sorted(answer.seconds * 1000 for answer in answers)
    cuts = statistics.quantiles(latencies, n=100)
    print(f"\n{title}")
    print(f"  {len(answers)} requests answered in {span:.2f} s: {len(answers) / span:.0f} req/s; "
          f"latency p50 {cuts[49]:.0f} ms, p95 {cuts[94]:.0f} ms, p99 {cuts[98]:.0f} ms")  # fmt: skip
    counts: dict[str, int] = {}
    for answer in answers:
        counts[answer.outcome] = counts.get(answer.outcome, 0) + 1
    print("  answers: " + ", ".join(f"{n} {name}" for name, n in sorted(counts.items())))
    print(f"  HTTP 500s: {sum(a.status >= 500 for a in answers)}")


def share(deployment: Deployment, day: dt.date, hours: tuple[int, int], members: int) -> str:
    starts = ", ".join(
        f"'{dt.datetime.combine(day, dt.time(h), dt.UTC).isoformat()}'" for h in hours
    )
    rows = deployment.sql(  # noqa: S608 - our own timestamps
        "SELECT u.email FROM bookings_booking b JOIN accounts_user u ON u.id = b.booked_by_id "  # noqa: S608
        f"WHERE b.status = 'active' AND b.starts_at IN ({starts})"
    ).split()
    scripts = {f"member{n}@bench.test" for n in range(SCRIPTS)}
    won = sum(email in scripts for email in rows)
    humans = members - SCRIPTS
    return (f"{len(rows)} slots booked; scripts got {won} ({won / SCRIPTS:.0%} of {SCRIPTS} scripts), "
            f"people got {len(rows) - won} ({(len(rows) - won) / humans:.1%} of {humans}); "
            f"scripts are {SCRIPTS / members:.0%} of the members and won "
            f"{won / max(len(rows), 1):.0%} of the slots")  # fmt: skip


def set_opening(deployment: Deployment, *, opens_at: float, draw_seconds: int) -> None:
    moment = dt.datetime.fromtimestamp(opens_at, dt.UTC).time().isoformat()
    deployment.sql(  # noqa: S608 - a time we formatted
        f"UPDATE bookings_fairopening SET opens_at = '{moment}', draw_seconds = {draw_seconds}"  # noqa: S608
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--draw-seconds", type=int, default=20)
    parser.add_argument("--web-workers", type=int, default=2)
    options = parser.parse_args()
    print(
        f"preparing: database, {options.members} signed-in members, {options.web_workers} web processes, a worker"
    )
    deployment = prepare("rush", web_workers=options.web_workers)
    data = seed(deployment, options.members, "--opening-draw", "0", "--opens-in", "3600")
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=60)
    server: Server = serve(deployment)
    log = (deployment.var_dir / "worker.log").open("ab")
    worker = subprocess.Popen(
        [str(BIN / "fortresa"), "worker"], env=deployment.env(), cwd=ROOT,
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        first = (18, 19)
        opens = time.time() + 8
        set_opening(deployment, opens_at=opens, draw_seconds=0)
        began = time.time()
        answers = rush(deployment, data, at=opens, hours=first, day=day)
        report(
            "Round 1: first come, first served (40 slots)", answers, time.time() - max(began, opens)
        )
        print("  " + share(deployment, day, first, options.members))

        second = (20, 21)
        opens = time.time() + 8
        set_opening(deployment, opens_at=opens, draw_seconds=options.draw_seconds)
        answers = rush(deployment, data, at=opens, hours=second, day=day)
        report(f"Round 2: fair opening, draw among the first {options.draw_seconds} s (40 slots)",
               answers, time.time() - opens)  # fmt: skip
        deadline = time.time() + 60
        while (
            time.time() < deadline
            and deployment.sql("SELECT count(*) FROM bookings_openingdraw WHERE status = 'open'")
            != "0"
        ):
            time.sleep(0.5)
        drawn = deployment.sql(
            "SELECT status || ' ' || count(*) FROM bookings_drawentry GROUP BY status ORDER BY 1"
        ).replace("\n", ", ")
        made = deployment.sql("SELECT drawn_at - window_closes_at FROM bookings_openingdraw")
        print(f"  draw made {made} after the window closed; entries: {drawn}")
        print("  " + share(deployment, day, second, options.members))
        print(
            f"\ndouble bookings (overlapping active bookings on one court): {deployment.sql(OVERLAPS)}"
        )
        peaks = ", ".join(f"{peak:.0f} MB" for peak in server.peak_rss_mb())
        print(f"peak resident memory per web process: {peaks} (target: under 250 MB)")
    finally:
        server.stop()
        worker.terminate()
        worker.wait(timeout=20)


if __name__ == "__main__":
    main()
