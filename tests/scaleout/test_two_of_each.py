"""Two web processes and two workers against one PostgreSQL and one Redis behave as one:
sessions, lockout, rate limits, bookings, and every scheduled job running once."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest
import redis
import requests
from django.conf import settings
from django.db import connection
from django.utils import timezone

from fortresa.bookings.models import Booking
from fortresa.bookings.slots import start_param
from fortresa.clubs.models import Court
from tests.factories import PASSWORD, make_club, make_membership, make_user
from tests.scaleout.cluster import (
    CSP_BUDGET,
    REDIS_URL,
    Member,
    Process,
    WebProcess,
    base_env,
    start_web,
    start_worker,
)
from tests.scaleout.ticks import TICKS_KEY

# One cluster at a time: the module stays on one xdist worker (make test uses loadgroup).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("scaleout")]
RUN_LOCK = "fortresa-scaleout:running"
LEADS = "beat: this worker now sends the scheduled jobs"
STANDS_BY = "beat: standing by"


@dataclass
class Cluster:
    web: tuple[WebProcess, WebProcess]
    workers: tuple[Process, Process]
    redis: redis.Redis


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Cluster]:  # type: ignore[no-untyped-def]
    client = redis.Redis.from_url(REDIS_URL)
    # Another pytest run on this machine may be using the same Redis database: wait.
    running = client.lock(RUN_LOCK, timeout=900, blocking_timeout=900)
    assert running.acquire(), "another scale-out run held Redis database 13 for 15 minutes"
    _empty(client)
    with django_db_blocker.unblock():
        db = connection.settings_dict
    database_url = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    root = tmp_path_factory.mktemp("scaleout")
    processes: list[Process] = []
    try:
        web = []
        for name in ("web-a", "web-b"):
            env = base_env(database_url, root / name, settings.SECRET_KEY)
            web.append(start_web(name, env, root / f"{name}.log"))
            processes.append(web[-1].process)
        workers = []
        for name in ("worker-a", "worker-b"):
            env = base_env(database_url, root / name, settings.SECRET_KEY)
            workers.append(start_worker(name, env, root / f"{name}.log"))
            processes.append(workers[-1])
        for server in web:
            server.wait_ready()
        yield Cluster(web=(web[0], web[1]), workers=(workers[0], workers[1]), redis=client)
    finally:
        for process in processes:
            process.stop()
        _empty(client)
        running.release()
        client.close()


def _empty(client: redis.Redis) -> None:
    """Remove every key of this database but the run lock."""
    for key in client.scan_iter(count=500):
        if key != RUN_LOCK.encode():
            client.delete(key)


@pytest.fixture
def fresh_limits(cluster: Cluster) -> Iterator[None]:
    """Lockout counters and rate-limit windows start empty for each test."""
    yield
    for pattern in ("fortresa:accounts:throttle:*", "*fortresa:ratelimit:*"):
        for key in cluster.redis.scan_iter(match=pattern, count=500):
            cluster.redis.delete(key)


def wait_for(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def both_workers_decided(cluster: Cluster) -> bool:
    texts = [worker.text() for worker in cluster.workers]
    return all(LEADS in text or STANDS_BY in text for text in texts)


def test_signed_in_on_one_web_process_is_signed_in_on_the_other(cluster, transactional_db):
    first, second = cluster.web
    member = Member(make_user().email)

    signed_in = member.sign_in(first, PASSWORD)
    page = member.get(second.base + "/bookings/mine/")

    assert signed_in == 302
    assert page.status_code == 200
    assert Member("stranger").get(second.base + "/bookings/mine/").status_code == 302


def test_failed_sign_ins_on_both_web_processes_add_up_to_one_lockout(
    cluster, transactional_db, fresh_limits
):
    first, second = cluster.web
    user, bystander = make_user(), make_user()
    # Five failures (the threshold), split so that neither process saw five on its own.
    order = [first, second, first, second, first]

    statuses = [Member(user.email).sign_in(web, "wrong password") for web in order]

    assert statuses == [200] * 5
    assert Member(bystander.email).sign_in(second, PASSWORD) == 302
    # Locked: the right password is refused (the form again) on both processes.
    assert Member(user.email).sign_in(first, PASSWORD) == 200
    assert Member(user.email).sign_in(second, PASSWORD) == 200


def test_rate_limit_is_one_budget_across_web_processes(cluster, fresh_limits):
    # Stay clear of a window boundary: the budget is counted per minute.
    if time.time() % 60 > 45:
        time.sleep(61 - time.time() % 60)
    report = b'{"csp-report": {"document-uri": "https://localhost/", "violated-directive": "x"}}'
    headers = {"Content-Type": "application/csp-report"}

    statuses = [
        requests.post(
            cluster.web[n % 2].base + "/csp-report/", data=report, headers=headers, timeout=10
        ).status_code
        for n in range(CSP_BUDGET + 2)
    ]

    assert statuses == [204] * CSP_BUDGET + [429, 429]


def test_one_slot_booked_through_both_web_processes_has_one_winner(cluster, transactional_db):
    club = make_club(courts=1, rules={"partners_required": 0})
    court = Court.objects.get(club=club)
    day = timezone.now().astimezone(club.tzinfo).date() + dt.timedelta(days=2)
    start = start_param(dt.datetime.combine(day, dt.time(10), tzinfo=club.tzinfo))
    members = [Member(make_membership(club).user.email) for _ in range(10)]
    page = f"/c/{club.slug}/book/"
    tokens = []
    for n, member in enumerate(members):
        web = cluster.web[n % 2]
        assert member.sign_in(web, PASSWORD) == 302
        tokens.append(member.form_token(f"{web.base}{page}?court={court.pk}&start={quote(start)}"))
    barrier = threading.Barrier(len(members))
    answers: list[requests.Response] = []

    def attempt(n: int) -> None:
        barrier.wait()
        form = {"csrfmiddlewaretoken": tokens[n], "court": str(court.pk), "start": start}
        answers.append(members[n].post(cluster.web[n % 2].base + page, form | {"duration": "60"}))

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(len(members))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    booked = [a for a in answers if a.status_code == 302]
    refused = [a for a in answers if a.status_code == 200]
    assert len(booked) == 1
    assert booked[0].headers["Location"] == "/bookings/mine/"
    assert len(refused) == 9
    assert all(re.search("already taken", a.text) for a in refused)
    assert Booking.objects.filter(club=club, status=Booking.Status.ACTIVE).count() == 1


def test_each_scheduled_job_runs_once_with_two_workers(cluster):
    wait_for(lambda: both_workers_decided(cluster), 60, "both workers' schedulers")
    wait_for(lambda: cluster.redis.llen(TICKS_KEY) > 0, 30, "the first scheduled run")
    cluster.redis.delete(TICKS_KEY)

    time.sleep(8)
    runs = cluster.redis.llen(TICKS_KEY)

    leaders = [w.name for w in cluster.workers if LEADS in w.text()]
    assert len(leaders) == 1
    # A job due every second ran about 8 times in 8 s: once per period, not once per worker.
    assert 6 <= runs <= 10


def test_standby_worker_sends_the_jobs_once_the_leader_stops(cluster):
    wait_for(lambda: both_workers_decided(cluster), 60, "both workers' schedulers")
    leader = next(w for w in cluster.workers if LEADS in w.text())
    standby = next(w for w in cluster.workers if w is not leader)

    leader.stop()
    wait_for(lambda: LEADS in standby.text(), 20, "the standby to lead")
    cluster.redis.delete(TICKS_KEY)
    time.sleep(5)
    runs = cluster.redis.llen(TICKS_KEY)

    assert 3 <= runs <= 7
