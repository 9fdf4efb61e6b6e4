import datetime as dt

import pytest
from django.utils import timezone

from fortresa.accounts.throttle import DatabaseThrottleStore, lock_duration

BASE = dt.timedelta(minutes=15)
MAXIMUM = dt.timedelta(hours=24)


def _fail(store, key, now, times=1):
    outcome = None
    for _ in range(times):
        outcome = store.register_failure(key, now=now, threshold=5, base=BASE, maximum=MAXIMUM)
    return outcome


def test_fifth_consecutive_failure_locks_for_fifteen_minutes(store):
    now = timezone.now()

    fourth = _fail(store, "k", now, times=4)
    fifth = _fail(store, "k", now)

    assert fourth.locked_until is None
    # Redis keeps milliseconds.
    assert abs(fifth.locked_until - (now + BASE)) < dt.timedelta(milliseconds=1)
    assert store.locked_until("k", now=now + dt.timedelta(minutes=14)) is not None
    assert store.locked_until("k", now=now + dt.timedelta(minutes=16)) is None


def test_each_new_lockout_doubles_the_cool_off(store):
    now = timezone.now()
    first = _fail(store, "k", now, times=5).locked_until
    after_first = first + dt.timedelta(seconds=1)

    second = _fail(store, "k", after_first, times=5).locked_until

    assert abs(second - after_first - 2 * BASE) < dt.timedelta(milliseconds=2)


def test_cool_off_never_exceeds_a_day():
    assert [lock_duration(level, BASE, MAXIMUM) for level in (0, 1, 2, 6, 7, 40)] == [
        BASE,
        2 * BASE,
        4 * BASE,
        64 * BASE,
        MAXIMUM,
        MAXIMUM,
    ]


def test_failures_while_locked_are_not_counted(store):
    now = timezone.now()
    until = _fail(store, "k", now, times=5).locked_until

    during = _fail(store, "k", now + dt.timedelta(minutes=1), times=10)

    assert during.locked_until is None
    assert store.locked_until("k", now=now) == until


def test_reset_forgets_failures_and_lock(store):
    now = timezone.now()
    _fail(store, "k", now, times=5)

    store.reset("k")

    assert store.locked_until("k", now=now) is None
    assert _fail(store, "k", now, times=4).locked_until is None


def test_reserve_refuses_beyond_the_limit_within_the_window(store):
    now = timezone.now()
    hour = dt.timedelta(hours=1)

    granted = [store.reserve("w", now=now, limit=3, window=hour) for _ in range(5)]

    assert granted == [True, True, True, False, False]
    assert store.count("w", now=now, window=hour) == 3


def test_reserve_slides_old_entries_out_of_the_window(store):
    start = timezone.now()
    hour = dt.timedelta(hours=1)
    for _ in range(3):
        store.reserve("w", now=start, limit=3, window=hour)

    later = start + hour + dt.timedelta(seconds=1)

    assert store.reserve("w", now=later, limit=3, window=hour) is True
    assert store.count("w", now=later, window=hour) == 1


@pytest.mark.smoke
def test_database_store_keeps_no_email_in_clear(db, client):
    from fortresa.accounts.models import ThrottleState

    client.post("/accounts/login/", {"username": "someone@example.test", "password": "x" * 12})

    keys = list(ThrottleState.objects.values_list("key", flat=True))
    assert keys
    assert all("someone" not in key for key in keys)


def test_purge_drops_only_stale_database_entries(db):
    from fortresa.accounts.models import ThrottleHit, ThrottleState
    from fortresa.accounts.tasks import purge_login_throttle

    store = DatabaseThrottleStore()
    now = timezone.now()
    old = now - dt.timedelta(days=3)
    store.reserve("old", now=old, limit=-1, window=dt.timedelta(hours=1))
    store.register_failure("stale", now=old, threshold=5, base=BASE, maximum=MAXIMUM)
    store.reserve("fresh", now=now, limit=-1, window=dt.timedelta(hours=1))
    store.register_failure("recent", now=now, threshold=5, base=BASE, maximum=MAXIMUM)

    purge_login_throttle()

    assert list(ThrottleHit.objects.values_list("key", flat=True)) == ["fresh"]
    assert list(ThrottleState.objects.values_list("key", flat=True)) == ["recent"]
